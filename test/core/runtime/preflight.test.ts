import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { preflightProblems, type PreflightValues } from '../../../src/core/runtime/preflight.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A complete pool, log and stats directory, and an executable dsmc. */
function world(): { root: string; values: PreflightValues } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-preflight-'));
  roots.push(root);
  for (const sub of ['pool/in', 'pool/out', 'pool/request', 'pool/requestlists', 'pool/trash/queue', 'log', 'stats']) {
    fs.mkdirSync(path.join(root, sub), { recursive: true });
  }
  fs.writeFileSync(path.join(root, 'dsmc'), '#!/bin/sh\n', { mode: 0o755 });
  return {
    root,
    values: { dir: path.join(root, 'pool'), logdir: path.join(root, 'log'), currstatsdir: path.join(root, 'stats'), dsmc_executable: path.join(root, 'dsmc'), 'desc-short': 'pool1' },
  };
}

function summary(values: PreflightValues, searchPath?: string): string[] {
  return preflightProblems(values, { searchPath }).map((f) => `${f.severity} ${f.message}`);
}

describe('preflightProblems', () => {
  it('finds nothing in a complete pool', () => {
    expect(summary(world().values)).toEqual([]);
  });

  it('names the missing pool directory and nothing below it', () => {
    const { root, values } = world();
    const dir = path.join(root, 'nope');
    expect(summary({ ...values, dir })).toEqual([`error dir: '${dir}' does not exist`]);
  });

  it('refuses a pool directory that is a file', () => {
    const { root, values } = world();
    expect(summary({ ...values, dir: path.join(root, 'dsmc') })).toEqual([`error dir: '${root}/dsmc' is not a directory`]);
  });

  it('says which missing subdirectories start-up creates, and refuses a subdirectory that is a file', () => {
    const { values } = world();
    fs.rmSync(path.join(values.dir, 'trash'), { recursive: true });
    fs.rmSync(path.join(values.dir, 'out'), { recursive: true });
    fs.writeFileSync(path.join(values.dir, 'out'), '');
    expect(summary(values)).toEqual([
      `error dir: '${values.dir}/out' exists but is not a directory`,
      `create dir: '${values.dir}/trash' does not exist: start-up creates it`,
      `create dir: '${values.dir}/trash/queue' does not exist: start-up creates it`,
    ]);
    expect(fs.existsSync(path.join(values.dir, 'trash'))).toBe(false);
  });

  it('checks logdir unless it is -, and log files that cannot be appended to', () => {
    const { root, values } = world();
    expect(summary({ ...values, logdir: '-' })).toEqual([]);
    expect(summary({ ...values, logdir: path.join(root, 'nolog') })).toEqual([`error logdir: '${root}/nolog' does not exist`]);
    fs.mkdirSync(path.join(values.logdir, 'tsmdeleter.log'));
    expect(summary(values)).toEqual([`error logdir: '${values.logdir}/tsmdeleter.log' cannot be appended to`]);
    // Only the program's own log file counts at its start-up.
    expect(preflightProblems(values, { logNames: ['tsmarchiver'] })).toEqual([]);
  });

  it('issue 11: warns (only) about a session history file that cannot be appended to', () => {
    const { values } = world();
    fs.mkdirSync(path.join(values.logdir, 'tsmretriever-sessions.jsonl'));
    expect(summary(values)).toEqual([`warning logdir: '${values.logdir}/tsmretriever-sessions.jsonl' cannot be appended to: session records go to the log`]);
    expect(preflightProblems(values, { logNames: ['tsmarchiver'] })).toEqual([]);
  });

  it('only warns about currstatsdir', () => {
    const { root, values } = world();
    expect(summary({ ...values, currstatsdir: path.join(root, 'dsmc') })).toEqual([
      `warning currstatsdir: '${root}/dsmc' is not a directory: no stats files until it is a writable directory`,
    ]);
  });

  it('checks dsmc_executable as a path, or in the search path when it is a bare name', () => {
    const { root, values } = world();
    fs.chmodSync(path.join(root, 'dsmc'), 0o644);
    expect(summary(values)).toEqual([`error dsmc_executable: '${root}/dsmc' is not executable`]);
    expect(summary({ ...values, dsmc_executable: path.join(root, 'log') })).toEqual([`error dsmc_executable: '${root}/log' is a directory`]);
    expect(summary({ ...values, dsmc_executable: path.join(root, 'gone') })).toEqual([`error dsmc_executable: '${root}/gone' does not exist`]);
    fs.chmodSync(path.join(root, 'dsmc'), 0o755);
    expect(summary({ ...values, dsmc_executable: 'dsmc' }, `/nonexistent:${root}`)).toEqual([]);
    expect(summary({ ...values, dsmc_executable: 'dsmc' }, '/nonexistent')).toEqual([`error dsmc_executable: 'dsmc' is not an executable file in PATH (/nonexistent)`]);
  });

  it.each(['pool1', 'a.b_c-D9'])('accepts desc-short %s', (name) => {
    expect(summary({ ...world().values, 'desc-short': name })).toEqual([]);
  });

  it.each(['.', '..', '../x', 'pool 1', 'a/b', 'pøøl'])('refuses desc-short %j', (name) => {
    expect(summary({ ...world().values, 'desc-short': name })).toEqual([
      `error desc-short: '${name}' must be a name of letters, digits, '.', '_' and '-' (it names the stats files), not . or ..`,
    ]);
  });
});
