// The fake's use of the tape model: which mounts a list makes, how the shared state
// answers a session, and what the journal records. Pure, with the round-number spec.
import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../src/fake-dsmc/catalog.js';
import type { DrivesState } from '../../src/fake-dsmc/drive-state.js';
import { formatDrivesState, parseDrivesState, planRealMs, planSimMs, planSweep } from '../../src/fake-dsmc/drive-state.js';
import type { MountAnswer, TapeRun } from '../../src/fake-dsmc/tape-plan.js';
import { planFirstRequestMs, planMountCheck, planMountEnd, planMountRecord, planMountRequest, planTapeOffsets, planTapeRuns, planUnloadEntry } from '../../src/fake-dsmc/tape-plan.js';
import type { LibraryScenario } from '../../src/fake-dsmc/scenario-library.js';
import { ROUND_SPEC } from '../tape-model/round-spec.js';

const GB = 1e9;

function object(seq: number, volume: string, position: number, sizeBytes: number): StoredObject {
  return { seq, path: `/p/out/${seq}`, id: String(seq), sizeBytes, volume, volumeId: 100_000 + volume.charCodeAt(1), position, description: 'd', archivedAtMs: 0, sparse: true };
}

function config(overrides: Partial<LibraryScenario['spec']> = {}): LibraryScenario {
  return { spec: { ...ROUND_SPEC, drives: 2, ...overrides }, timeScale: 0.001 };
}

function run(volume: string, ...positionsGb: number[]): TapeRun {
  return { volume, volumeId: 1, entryIndexes: positionsGb.map((_, i) => i), files: positionsGb.map((p) => ({ positionBytes: p * GB, sizeBytes: GB })) };
}

describe('planTapeOffsets', () => {
  it('places each object after the bytes before it on its volume, in position order, for the volumes asked', () => {
    const objects = [object(1, 'VA', 2, 5 * GB), object(2, 'VA', 1, 3 * GB), object(3, 'VB', 1, 7 * GB), object(4, 'VA', 3, GB), object(5, 'VC', 1, GB)];
    expect(planTapeOffsets(objects, new Set(['VA', 'VB']))).toEqual(new Map([[2, 0], [1, 3 * GB], [4, 8 * GB], [3, 0]]));
  });
});

describe('planTapeRuns', () => {
  const a1 = object(1, 'VA', 1, GB);
  const a2 = object(2, 'VA', 2, GB);
  const b1 = object(3, 'VB', 1, GB);
  const offsets = new Map([[1, 0], [2, GB], [3, 0]]);
  it.each([
    ['one volume, list order kept', [a2, a1], [['VA', [0, 1], [GB, 0]]]],
    ['entries without an object touch no tape', [undefined, a1, undefined, a2], [['VA', [1, 3], [0, GB]]]],
    ['a new mount wherever the volume changes', [a1, b1, a2], [['VA', [0], [0]], ['VB', [1], [0]], ['VA', [2], [GB]]]],
    ['nothing found: no mount', [undefined], []],
  ])('%s', (_what, listed, expected) => {
    const runs = planTapeRuns(listed, offsets);
    expect(runs.map((r) => [r.volume, r.entryIndexes, r.files.map((f) => f.positionBytes)])).toEqual(expected);
  });
});

describe('mounts on the shared state', () => {
  const fresh = (overrides: Partial<LibraryScenario['spec']> = {}): DrivesState => parseDrivesState(undefined, config(overrides), 0);
  const started = (answer: MountAnswer): Extract<MountAnswer, { kind: 'started' }> => {
    if (answer.kind !== 'started') throw new Error(`expected started, got ${answer.kind}`);
    return answer;
  };

  it('a volume read again while still mounted is a follow-on: no mount, locate from where the head stopped', () => {
    const first = planMountRequest(fresh(), 0, run('VA', 100), 11);
    const a = started(first.result);
    expect(a.plan).toMatchObject({ drive: 0, followOn: false, mountSec: 30, locateSec: 15, transferSec: 1 });
    expect(first.state.owners).toEqual(new Map([[a.sessionId, 11]]));
    const ended = planMountEnd(first.state, a.plan.endMs, a.sessionId);
    expect(ended.state.owners.size).toBe(0);
    const again = started(planMountRequest(ended.state, a.plan.endMs + 1000, run('VA', 101), 12).result);
    expect(again.plan).toMatchObject({ drive: 0, followOn: true, mountSec: 0, locateSec: 0, evictSec: 0 });
  });

  it('a new volume with every drive holding an idle volume unloads the least recently used one', () => {
    let state = fresh();
    for (const [volume, atMs] of [['VA', 0], ['VB', 1000_000]] as const) {
      const asked = planMountRequest(state, atMs, run(volume, 0), 1);
      const answer = started(asked.result);
      state = planMountEnd(asked.state, answer.plan.endMs, answer.sessionId).state;
    }
    const third = planMountRequest(state, 2000_000, run('VC', 0), 1);
    expect(started(third.result).plan).toMatchObject({ drive: 0, evictedVolume: 'VA', evictSec: 50 + 0.001 * 100 + 30 });
    expect(third.unloads).toEqual([expect.objectContaining({ volume: 'VA', reason: 'eviction', drive: 0 })]);
  });

  it('with every drive busy a session waits; the end of another gives it the drive, which it finds when it looks again', () => {
    const asked = planMountRequest(fresh({ drives: 1 }), 0, run('VA', 0), 1);
    const holder = started(asked.result);
    let state = asked.state;
    const waiting = planMountRequest(state, 10_000, run('VB', 0), 2);
    expect(waiting.result).toEqual({ kind: 'waiting', sessionId: 2 });
    state = waiting.state;
    expect(planMountCheck(state, 20_000, run('VB', 0), 2, 2).result).toEqual({ kind: 'waiting', sessionId: 2 });
    state = planMountEnd(state, holder.plan.endMs, holder.sessionId).state;
    const placed = started(planMountCheck(state, holder.plan.endMs + 5000, run('VB', 0), 2, 2).result);
    expect(placed.plan).toMatchObject({ requestedMs: 10_000, startMs: holder.plan.endMs, evictedVolume: 'VA' });
  });

  it('a session whose place was lost (the state started afresh) asks again', () => {
    expect(planMountCheck(fresh(), 0, run('VA', 0), 3, 99).result).toMatchObject({ kind: 'started', plan: { volume: 'VA' } });
  });

  it('past maxNumMp (sessions holding or waiting) a session fails at once and owns nothing', () => {
    let state = fresh({ drives: 1, maxNumMp: 2 });
    state = planMountRequest(state, 0, run('VA', 0), 1).state;
    state = planMountRequest(state, 0, run('VB', 0), 2).state;
    const third = planMountRequest(state, 0, run('VC', 0), 3);
    expect(third.result).toEqual({ kind: 'failed' });
    expect([...third.state.owners.values()]).toEqual([1, 2]);
  });

  it('the sweep ends the sessions of dead processes: the drive goes idle and the next waiting live session gets it', () => {
    let state = fresh({ drives: 1 });
    for (const [volume, pid] of [['VA', 1], ['VB', 2], ['VC', 3]] as const) state = planMountRequest(state, 0, run(volume, 0), pid).state;
    const swept = planSweep(state, 5000, (pid) => pid === 3);
    expect(swept.result).toBe(2);
    expect([...swept.state.library.open.values()].map((plan) => [plan.volume, plan.startMs])).toEqual([['VC', 5000]]);
    expect(swept.state.owners).toEqual(new Map([[3, 3]]));
    expect(planSweep(swept.state, 6000, () => true).state).toBe(swept.state);
  });
});

describe('planMountRecord', () => {
  const state = parseDrivesState(undefined, config({ drives: 1 }), 0);
  const answer = planMountRequest(state, 2000, run('VA', 500, 501, 100), 1).result;
  if (answer.kind !== 'started') throw new Error('not started');
  it.each([
    ['every file read', 3, { files: 3, locateSec: 55 + 0 + 45.2, transferSec: 3 }], // the last one 402 GB back
    ['stopped after one file', 1, { files: 1, locateSec: 55, transferSec: 1 }],
  ])('%s', (_what, filesRead, expected) => {
    const record = planMountRecord(run('VA', 500, 501, 100), answer.plan, filesRead, 90_000);
    expect(record).toEqual({ volume: 'VA', volumeId: 1, drive: 0, followOn: false, waitSec: 0, unmountSec: 0, mountSec: 30, startSec: 2, endSec: 90, ...expected });
  });

  it('an unload becomes a journal entry in seconds', () => {
    expect(planUnloadEntry({ drive: 1, volume: 'VB', startMs: 1234, rewindSec: 50.0004, unloadSec: 30, reason: 'retention' }, 99, 7)).toEqual({
      event: 'unload', timeMs: 99, pid: 7, drive: 1, volume: 'VB', reason: 'retention', startSec: 1.234, rewindSec: 50, unloadSec: 30,
    });
  });
});

describe('drives.json', () => {
  it('keeps maps and idle drives (-Infinity) through a round trip', () => {
    const state = planMountRequest(parseDrivesState(undefined, config(), 5), 0, run('VA', 0), 42).state;
    const text = formatDrivesState(state);
    expect(parseDrivesState(text, config(), 1e9)).toEqual(state);
    expect(state.library.drives[1]?.idleSinceMs).toBe(-Infinity);
  });

  it.each([
    ['another library in the scenario', config({ drives: 3 })],
    ['another time scale', { ...config(), timeScale: 1 }],
  ])('starts afresh for %s', (_what, other) => {
    const text = formatDrivesState(planMountRequest(parseDrivesState(undefined, config(), 5), 0, run('VA', 0), 42).state);
    expect(parseDrivesState(text, other, 77)).toEqual({ epochRealMs: 77, config: other, library: expect.objectContaining({ open: new Map() }), owners: new Map() });
  });

  it('starts afresh from a file that is not JSON', () => {
    expect(parseDrivesState('{"epoch', config(), 3).epochRealMs).toBe(3);
  });

  it('converts real time to the simulated clock and back by the time scale', () => {
    const clock = { epochRealMs: 1000, config: config() };
    expect(planSimMs(clock, 1500)).toBe(500_000);
    expect(planRealMs(clock, 500_000)).toBe(1500);
  });
});

describe('planFirstRequestMs: the first mount is dated at the process start, never before a recorded event', () => {
  // time scale 0.001: a real millisecond is a simulated second; the epoch is real time 0
  const state = (): DrivesState => parseDrivesState(undefined, config(), 0);
  const ended = (): DrivesState => {
    const opened = planMountRequest(state(), 1000, run('VA', 1), 11);
    const answer = opened.result;
    if (answer.kind !== 'started') throw new Error('expected started');
    return planMountEnd(opened.state, 40_000, answer.sessionId).state;
  };
  it.each([
    ['nothing recorded: the process start (real 5 ms = 5000 simulated ms)', state, 9000, 5, 5000],
    ['started before the epoch: the epoch', state, 9000, -3, 0],
    ['a drive let go after the process started: not before that', ended, 60_000, 20, 40_000],
    ['a drive let go before the process started: the process start', ended, 60_000, 50, 50_000],
    ['never later than now', state, 9000, 12, 9000],
  ])('%s', (_what, make, nowMs, processStartRealMs, expected) => {
    expect(planFirstRequestMs(make(), nowMs, processStartRealMs)).toBe(expected);
  });
});
