import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSessionRecordName, SessionRegistry } from '../../../src/core/runtime/session-registry.js';

let root: string;
let lists: string;
let outside: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-sessions-'));
  lists = path.join(root, 'requestlists');
  fs.mkdirSync(lists);
  outside = path.join(root, 'outside.txt');
  fs.writeFileSync(outside, 'precious\n');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const registry = (): SessionRegistry => new SessionRegistry(lists, 'archiver', () => false);

describe('parseSessionRecordName', () => {
  it.each([
    ['.archiver.tsm-archive-files.AbC123.session', { kind: 'record', listName: 'tsm-archive-files.AbC123' }],
    ['.archiver.VOL_001.xYz789.session', { kind: 'record', listName: 'VOL_001.xYz789' }],
    ['.retriever.VOL001.AbC123.session', { kind: 'other' }],
    ['tsm-archive-files.AbC123', { kind: 'other' }],
    ['.archiver.session', { kind: 'other' }],
    ['.archiver.x.session.1a2b.tmp', { kind: 'other' }],
    ['.archiver..session', { kind: 'invalid' }],
    ['.archiver...session', { kind: 'invalid' }],
    ['.archiver....session', { kind: 'invalid' }],
    ['.archiver.a b.session', { kind: 'invalid' }],
    ['.archiver.a\nb.session', { kind: 'invalid' }],
  ])('%j → %j', (name, expected) => {
    expect(parseSessionRecordName(name, 'archiver')).toMatchObject(expected);
  });
});

describe('fault 6: crafted entries in requestlists/ at start', () => {
  it('a record named .archiver..session is warned about and ignored, not a crash', async () => {
    fs.writeFileSync(path.join(lists, '.archiver..session'), '{}');
    const recovery = await registry().recoverOrphans();
    expect(recovery).toEqual({
      orphans: [],
      invalid: [`${lists}/.archiver..session: not a session record name (.archiver.<list file>.session with a plain list file name); ignored`],
    });
    expect(fs.existsSync(lists)).toBe(true);
    expect(fs.readdirSync(lists)).toEqual(['.archiver..session']);
  });

  it('a symlink named like a record is not followed and left alone', async () => {
    fs.symlinkSync(outside, path.join(lists, '.archiver.tsm-archive-files.AbC123.session'));
    const recovery = await registry().recoverOrphans();
    expect(recovery.invalid).toEqual([`${lists}/.archiver.tsm-archive-files.AbC123.session: a symlink, not a session record; ignored`]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
  });

  it('a directory where the list file should be is left alone, with a warning', async () => {
    fs.writeFileSync(path.join(lists, '.archiver.sub.session'), '{}');
    fs.mkdirSync(path.join(lists, 'sub'));
    const recovery = await registry().recoverOrphans();
    expect(recovery.orphans).toEqual([]);
    expect(recovery.invalid).toEqual([`${lists}/.archiver.sub.session: cannot recover this session: ${lists}/sub is a directory, not a file list; ignored`]);
    expect(fs.statSync(path.join(lists, 'sub')).isDirectory()).toBe(true);
  });

  it('a real record is recovered: its files removed, other daemons\' records left', async () => {
    fs.writeFileSync(path.join(lists, '.archiver.tsm-archive-files.AbC123.session'), JSON.stringify({ daemon: 'archiver', listFile: 'x', startedMs: 1 }));
    fs.writeFileSync(path.join(lists, 'tsm-archive-files.AbC123'), '/grid/pool/out/1\n');
    fs.writeFileSync(path.join(lists, '.retriever.VOL1.AbC123.session'), '{}');
    const recovery = await registry().recoverOrphans();
    expect(recovery).toEqual({ orphans: [{ listFile: path.join(lists, 'tsm-archive-files.AbC123'), killedPids: [] }], invalid: [] });
    expect(fs.readdirSync(lists)).toEqual(['.retriever.VOL1.AbC123.session']);
  });
});

describe('fault 4: session records never follow a planted symlink', () => {
  it('writes the record as a new file renamed into place; the symlink target is untouched', async () => {
    const listFile = path.join(lists, 'tsm-archive-files.AbC123');
    fs.writeFileSync(listFile, '');
    const recordFile = path.join(lists, '.archiver.tsm-archive-files.AbC123.session');
    fs.symlinkSync(outside, recordFile);
    const outcome = await registry().run({ listFile, executable: 'true', args: [], cpuLimitSec: 60 });
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 0 });
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(fs.readdirSync(lists)).toEqual([]);
  });
});
