import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOverride, parseOverrideText, readOverrideFile } from '../../../src/core/config/index.js';
import { snapshotOf } from './helpers.js';

const OVERRIDE = '/run/endit/conf-override.json';

describe('applyOverride', () => {
  const base = snapshotOf('archiver_threshold2_usage: 2000', 'archiver_threshold3_usage: 3000');

  it('applies overridable keys; JSON numbers and numeric strings are both accepted', () => {
    const outcome = applyOverride(base, { retriever_maxworkers: 4, archiver_timeout: '600', verbose: 0, debug: '1' }, OVERRIDE, 1234);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { values, raw, sources, overrideMtimeMs, file } = outcome.snapshot;
    expect(values.retriever_maxworkers).toBe(4);
    expect(values.archiver_timeout).toBe(600);
    expect(values.verbose).toBe(false);
    expect(values.debug).toBe(true);
    expect(raw['retriever_maxworkers']).toBe('4');
    expect(sources['retriever_maxworkers']).toBe('override');
    expect(sources['archiver_timeout']).toBe('override');
    expect(sources['sleeptime']).toBe('default');
    expect(sources['dir']).toBe('file');
    expect(overrideMtimeMs).toBe(1234);
    expect(file).toBe(base.file);
    expect(Object.isFrozen(outcome.snapshot.values)).toBe(true);
  });

  it('leaves the base snapshot untouched', () => {
    const before = JSON.stringify(base);
    applyOverride(base, { retriever_maxworkers: 4, archiver_threshold3_usage: 0 }, OVERRIDE, 1);
    expect(JSON.stringify(base)).toBe(before);
  });

  it.each([[0], ['0']])('removes an archiver threshold 2–9 set to %j', (zero) => {
    const outcome = applyOverride(base, { archiver_threshold3_usage: zero }, OVERRIDE, 1);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.snapshot.values.archiver_threshold3_usage).toBeUndefined();
    expect(outcome.snapshot.raw).not.toHaveProperty('archiver_threshold3_usage');
    expect(outcome.snapshot.sources).not.toHaveProperty('archiver_threshold3_usage');
    expect(outcome.snapshot.values.archiver_threshold2_usage).toBe(2000);
  });

  it('accepts an empty object (the main configuration)', () => {
    const outcome = applyOverride(base, {}, OVERRIDE, 1);
    expect(outcome.ok && outcome.snapshot.raw).toEqual(base.raw);
  });

  it.each([
    [{ frobnicate: 1 }, `${OVERRIDE}: frobnicate: unknown key`],
    [{ timeout: 100 }, `${OVERRIDE}: timeout: unknown key`],
    [{ dir: '/elsewhere' }, `${OVERRIDE}: dir: cannot be overridden (only in the main file)`],
    [{ dsmc_executable: '/bin/sh' }, `${OVERRIDE}: dsmc_executable: cannot be overridden (only in the main file)`],
    [{ dsmcopts: '-x' }, `${OVERRIDE}: dsmcopts: cannot be overridden (only in the main file)`],
    [{ logdir: '/tmp' }, `${OVERRIDE}: logdir: cannot be overridden (only in the main file)`],
    [{ sleeptime: 1 }, `${OVERRIDE}: sleeptime: cannot be overridden (only in the main file)`],
    [{ retriever_maxworkers: '' }, `${OVERRIDE}: retriever_maxworkers: empty value '': expected a positive integer`],
    [{ retriever_maxworkers: null }, `${OVERRIDE}: retriever_maxworkers: empty value 'null': expected a positive integer`],
    [{ verbose: false }, `${OVERRIDE}: verbose: empty value 'false': expected 0 or 1`],
    [{ retriever_maxworkers: 0 }, `${OVERRIDE}: retriever_maxworkers: invalid value '0': expected a positive integer`],
    [{ retriever_maxworkers: 'many' }, `${OVERRIDE}: retriever_maxworkers: invalid value 'many': expected a positive integer`],
    [{ retriever_maxworkers: 2.5 }, `${OVERRIDE}: retriever_maxworkers: invalid value '2.5': expected a positive integer`],
    [{ retriever_maxworkers: -1 }, `${OVERRIDE}: retriever_maxworkers: invalid value '-1': expected a positive integer`],
    [{ retriever_maxworkers: [2] }, `${OVERRIDE}: retriever_maxworkers: invalid value '[2]': expected a positive integer`],
    [{ retriever_maxworkers: true }, `${OVERRIDE}: retriever_maxworkers: invalid value 'true': expected a positive integer`],
    [{ retriever_killthreshold: 150 }, `${OVERRIDE}: retriever_killthreshold: invalid value '150': expected an integer percentage from 1 to 100`],
    [{ verbose: 2 }, `${OVERRIDE}: verbose: invalid value '2': expected 0 or 1`],
    [{ archiver_threshold4_usage: -5 }, `${OVERRIDE}: archiver_threshold4_usage: invalid value '-5': expected a non-negative integer (0: unset)`],
    [{ archiver_threshold1_usage: 0 }, `${OVERRIDE}: archiver_threshold1_usage: invalid value '0': expected a positive integer`],
    [
      { archiver_threshold2_usage: 5000 },
      `${OVERRIDE}: archiver_threshold3_usage: invalid value '3000': expected more than archiver_threshold2_usage (5000)`,
    ],
    [
      { archiver_threshold4_usage: 2500 },
      `${OVERRIDE}: archiver_threshold4_usage: invalid value '2500': expected more than archiver_threshold3_usage (3000)`,
    ],
    [
      { archiver_threshold1_usage: 100, retriever_maxworkers: 'x' },
      `${OVERRIDE}: retriever_maxworkers: invalid value 'x': expected a positive integer`,
    ],
  ])('rejects the whole file for %j', (data, error) => {
    expect(applyOverride(base, data, OVERRIDE, 1)).toEqual({ ok: false, error });
  });

  it('accepts thresholds that become increasing once one is removed', () => {
    const outcome = applyOverride(base, { archiver_threshold2_usage: 0, archiver_threshold3_usage: 600 }, OVERRIDE, 1);
    expect(outcome.ok).toBe(true);
  });
});

describe('parseOverrideText', () => {
  it.each([
    ['{"verbose": 1}', { ok: true, data: { verbose: 1 } }],
    ['{}', { ok: true, data: {} }],
    ['', { ok: false, error: 'empty file' }],
    ['  \n', { ok: false, error: 'empty file' }],
    ['[1]', { ok: false, error: 'not a JSON object' }],
    ['null', { ok: false, error: 'not a JSON object' }],
    ['42', { ok: false, error: 'not a JSON object' }],
  ])('%j', (text, expected) => {
    expect(parseOverrideText(text)).toEqual(expected);
  });

  it('reports a JSON error for a half-written file', () => {
    expect(parseOverrideText('{"verbose": ')).toMatchObject({ ok: false, error: expect.any(String) });
  });
});

describe('readOverrideFile', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-override-test-'));
    file = path.join(dir, 'conf-override.json');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is absent when the file does not exist', async () => {
    expect(await readOverrideFile(file)).toEqual({ kind: 'absent' });
  });

  it('reads a JSON object with its mtime', async () => {
    fs.writeFileSync(file, '{"retriever_maxworkers": 3}');
    const mtimeMs = fs.statSync(file).mtimeMs;
    expect(await readOverrideFile(file)).toEqual({ kind: 'ok', data: { retriever_maxworkers: 3 }, mtimeMs });
  });

  it('retries an empty or broken file and gives up after the attempts', async () => {
    fs.writeFileSync(file, '');
    const pauses: number[] = [];
    const result = await readOverrideFile(file, { attempts: 4, delayMs: 100, sleep: async (ms) => pauses.push(ms) });
    expect(result).toEqual({ kind: 'unreadable', error: `${file}: cannot be loaded after 4 tries: empty file` });
    expect(pauses).toEqual([100, 100, 100]);
  });

  it('succeeds when a non-atomic writer finishes during the retries', async () => {
    fs.writeFileSync(file, '{"verbose": ');
    const result = await readOverrideFile(file, {
      attempts: 10,
      sleep: async () => fs.writeFileSync(file, '{"verbose": 0}'),
    });
    expect(result).toMatchObject({ kind: 'ok', data: { verbose: 0 } });
  });

  it('retries with a real delay between attempts', async () => {
    fs.writeFileSync(file, '{');
    setTimeout(() => fs.writeFileSync(file, '{"debug": 1}'), 30);
    const result = await readOverrideFile(file, { attempts: 300, delayMs: 10 });
    expect(result).toMatchObject({ kind: 'ok', data: { debug: 1 } });
  });
});
