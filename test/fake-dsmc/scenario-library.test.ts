// The scenario's `library`: a preset with fields overridden, every mistake named.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/fake-dsmc/scenario.js';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';

describe('scenario library', () => {
  it.each([
    ['absent: no drive model', {}, null],
    ['null: no drive model', { library: null }, null],
    ['a preset name', { library: 'lto9' }, { spec: LTO9_LIBRARY, timeScale: 1 }],
    ['an empty object: LTO-9 in real time', { library: {} }, { spec: LTO9_LIBRARY, timeScale: 1 }],
    [
      'every field overridden',
      {
        library: {
          preset: 'lto9', drives: 2, robotMoveSec: 10, loadSec: 20, locateStartSec: 5, locateFullLengthSec: 100, rewindMinSec: 50, rewindMaxSec: 150,
          unloadSec: 30, readBytesPerSec: 1e9, tapeCapacityBytes: 1e12, mountRetentionSec: 60, maxNumMp: 4, timeScale: 0.001,
        },
      },
      {
        spec: {
          ...LTO9_LIBRARY, drives: 2, robotMoveSec: 10, loadSec: 20, locateStartSec: 5, locateFullLengthSec: 100, rewindMinSec: 50, rewindMaxSec: 150,
          unloadSec: 30, readBytesPerSec: 1e9, tapeCapacityBytes: 1e12, mountRetentionMs: 60_000, maxNumMp: 4,
        },
        timeScale: 0.001,
      },
    ],
    ['maxNumMp null: no limit', { library: { maxNumMp: null } }, { spec: LTO9_LIBRARY, timeScale: 1 }],
  ])('%s', (_what, raw, library) => {
    expect(parseScenario(raw).library).toEqual(library);
  });

  it.each([
    [{ library: 5 }, 'scenario.library: expected an object or a preset name'],
    [{ library: 'lto8' }, 'scenario.library.preset: expected one of lto9, got "lto8"'],
    [{ library: { drive: 1 } }, 'scenario.library: unknown key "drive"'],
    [{ library: { drives: 0 } }, 'scenario.library.drives: must be at least 1'],
    [{ library: { drives: 1.5 } }, 'scenario.library.drives: expected a non-negative integer, got 1.5'],
    [{ library: { loadSec: -1 } }, 'scenario.library.loadSec: expected a non-negative number, got -1'],
    [{ library: { readBytesPerSec: 0 } }, 'scenario.library.readBytesPerSec: expected a positive number, got 0'],
    [{ library: { timeScale: 0 } }, 'scenario.library.timeScale: expected a positive number, got 0'],
    [{ library: { maxNumMp: 0 } }, 'scenario.library.maxNumMp: must be at least 1'],
    [{ library: { rewindMinSec: 200 } }, 'scenario.library.rewindMaxSec: must be at least rewindMinSec (200)'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseScenario(raw)).toThrow(new ScenarioError(message));
  });
});

describe('the README example', () => {
  it('parses, and shows the lto9 preset values but for maxNumMp and timeScale', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /```json\n(\{\n  "library"[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(parseScenario(JSON.parse(block ?? '')).library).toEqual({ spec: { ...LTO9_LIBRARY, maxNumMp: 4 }, timeScale: 0.001 });
  });
});
