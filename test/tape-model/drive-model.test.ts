import { describe, expect, it } from 'vitest';
import {
  createLibrary,
  endSession,
  idleUnloads,
  locateSec,
  LTO9_LIBRARY,
  rewindSec,
  startSession,
  type LibrarySpec,
  type LibraryState,
  type SessionPlan,
  type SessionStart,
  type TapeFile,
} from '../../src/tape-model/drive-model.js';
import { createRandom, shuffled } from '../../src/core/prng.js';
import { ROUND_SPEC } from './round-spec.js';

const SPEC = ROUND_SPEC;
const GB = 1e9;

function started(start: SessionStart): { library: LibraryState; plan: SessionPlan } {
  if (start.kind !== 'started') throw new Error(`expected a started session, got ${start.kind}`);
  return start;
}

function run(library: LibraryState, volume: string, files: TapeFile[], nowMs: number): { library: LibraryState; plan: SessionPlan } {
  return started(startSession(library, { volume, files, nowMs }));
}

describe('drive model: one session', () => {
  it('mounts, locates from the beginning of tape, reads: a hand-computed timeline', () => {
    const { plan } = run(createLibrary(SPEC), 'V1', [{ positionBytes: 500 * GB, sizeBytes: 10 * GB }, { positionBytes: 510 * GB, sizeBytes: 5 * GB }], 1000);
    expect(plan).toMatchObject({ drive: 0, followOn: false, startMs: 1000, mountSec: 30, evictSec: 0, evictedVolume: null, locateSec: 55, transferSec: 15 });
    // 30 s mount + 55 s locate (5 + half a tape length) + 10 s; the next file follows on the tape: no locate.
    expect(plan.files.map((f) => [f.locateSec, f.transferSec, f.landedMs])).toEqual([
      [55, 10, 96_000],
      [0, 5, 101_000],
    ]);
    expect(plan.endMs).toBe(101_000);
  });

  it('reads through a short gap forward rather than locating', () => {
    expect(locateSec(SPEC, 100 * GB, 101 * GB)).toBe(1); // 1 GB at 1 GB/s, cheaper than 5.1 s
    expect(locateSec(SPEC, 101 * GB, 100 * GB)).toBeCloseTo(5.1); // backwards: always a locate
    expect(locateSec(SPEC, 0, 500 * GB)).toBe(55);
  });

  it('LTO-9: the first locate from the beginning of tape averages about 45 s', () => {
    const random = createRandom(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += locateSec(LTO9_LIBRARY, 0, random() * LTO9_LIBRARY.tapeCapacityBytes);
    expect(sum / 10_000).toBeGreaterThan(43);
    expect(sum / 10_000).toBeLessThan(47);
  });

  it('locating in tape order is cheaper than in random order', () => {
    const random = createRandom(3);
    const positions = Array.from({ length: 20 }, () => Math.floor(random() * 0.9 * LTO9_LIBRARY.tapeCapacityBytes));
    const cost = (order: number[]): number => run(createLibrary(LTO9_LIBRARY), 'V', order.map((p) => ({ positionBytes: p, sizeBytes: 3 * GB })), 0).plan.locateSec;
    const inTapeOrder = cost([...positions].sort((a, b) => a - b));
    for (let i = 0; i < 5; i++) expect(inTapeOrder).toBeLessThan(0.5 * cost(shuffled(random, positions)));
  });

  it('rewind grows with the head position: 55 s at the beginning, 165 s at the end (LTO-9)', () => {
    const capacity = LTO9_LIBRARY.tapeCapacityBytes;
    const rewinds = [0, 0.25, 0.5, 0.75, 1].map((f) => rewindSec(LTO9_LIBRARY, f * capacity));
    expect(rewinds[0]).toBe(55);
    expect(rewinds[4]).toBe(165);
    for (let i = 1; i < rewinds.length; i++) expect(rewinds[i]).toBeGreaterThan(rewinds[i - 1] as number);
  });
});

describe('drive model: mounts kept and lost', () => {
  it('a follow-on (volume still mounted) costs no mount and locates from where the head stopped', () => {
    const first = run(createLibrary(SPEC), 'V1', [{ positionBytes: 100 * GB, sizeBytes: 10 * GB }], 0);
    const ended = endSession(first.library, first.plan.sessionId, first.plan.endMs);
    const second = run(ended.library, 'V1', [{ positionBytes: 110 * GB, sizeBytes: 10 * GB }], first.plan.endMs + 60_000);
    expect(second.plan).toMatchObject({ followOn: true, mountSec: 0, evictSec: 0, locateSec: 0, transferSec: 10, drive: first.plan.drive });
    expect(second.library.loadsByVolume.get('V1')).toBe(1);
  });

  it('an idle volume leaves its drive when the mount retention runs out; the next session mounts it again', () => {
    const first = run(createLibrary(SPEC), 'V1', [{ positionBytes: 500 * GB, sizeBytes: 10 * GB }], 0);
    const endMs = first.plan.endMs;
    const idle = endSession(first.library, first.plan.sessionId, endMs).library;
    expect(idleUnloads(idle, endMs + SPEC.mountRetentionMs - 1).unloads).toEqual([]);
    const { unloads, library } = idleUnloads(idle, endMs + SPEC.mountRetentionMs + 5000);
    // Head at 510 GB: rewind 50 + 0.51 × 100 s.
    expect(unloads).toEqual([{ drive: 0, volume: 'V1', startMs: endMs + SPEC.mountRetentionMs, rewindSec: 101, unloadSec: 30, reason: 'retention' }]);
    const again = run(library, 'V1', [{ positionBytes: 0, sizeBytes: GB }], endMs + SPEC.mountRetentionMs + 200_000);
    expect(again.plan).toMatchObject({ followOn: false, mountSec: 30 });
    expect(again.library.loadsByVolume.get('V1')).toBe(2);
  });

  it('evicts the least recently used idle volume, and prefers an empty drive to any eviction', () => {
    let library = createLibrary({ ...SPEC, drives: 3 });
    const a = run(library, 'A', [{ positionBytes: 0, sizeBytes: 10 * GB }], 0);
    const b = run(a.library, 'B', [{ positionBytes: 0, sizeBytes: 20 * GB }], 0);
    library = endSession(b.library, a.plan.sessionId, a.plan.endMs).library;
    library = endSession(library, b.plan.sessionId, b.plan.endMs).library;
    const c = run(library, 'C', [{ positionBytes: 0, sizeBytes: GB }], 100_000);
    expect(c.plan).toMatchObject({ drive: 2, evictedVolume: null, evictSec: 0 });
    const d = started(startSession(c.library, { volume: 'D', files: [{ positionBytes: 0, sizeBytes: GB }], nowMs: 100_000 }));
    // A ended first: it goes. Its head is at 10 GB: rewind 51 s, unload 30 s, then the mount.
    expect(d.plan).toMatchObject({ drive: a.plan.drive, evictedVolume: 'A', evictSec: 81, mountSec: 30 });
    expect(d.plan.files[0]?.landedMs).toBe(100_000 + (81 + 30 + 1) * 1000);
    const unloads = startSession(c.library, { volume: 'D', files: [], nowMs: 100_000 }).unloads;
    expect(unloads).toEqual([{ drive: a.plan.drive, volume: 'A', startMs: 100_000, rewindSec: 51, unloadSec: 30, reason: 'eviction' }]);
  });
});

describe('drive model: waiting and MAXNUMMP', () => {
  it('when every drive is busy, a session waits (ANS1114I) and starts when one frees', () => {
    const a = run(createLibrary(SPEC), 'A', [{ positionBytes: 0, sizeBytes: 10 * GB }], 0);
    const b = startSession(a.library, { volume: 'B', files: [{ positionBytes: 0, sizeBytes: GB }], nowMs: 1000 });
    expect(b.kind).toBe('waiting');
    const step = endSession(b.library, a.plan.sessionId, a.plan.endMs);
    expect(step.started).toHaveLength(1);
    expect(step.started[0]).toMatchObject({ volume: 'B', requestedMs: 1000, startMs: a.plan.endMs, evictedVolume: 'A', followOn: false });
    expect(step.library.queue).toEqual([]);
  });

  it('a session for a volume in use waits for it, then follows on without a mount', () => {
    const library = createLibrary({ ...SPEC, drives: 2 });
    const a = run(library, 'A', [{ positionBytes: 0, sizeBytes: 10 * GB }], 0);
    const again = startSession(a.library, { volume: 'A', files: [{ positionBytes: 10 * GB, sizeBytes: GB }], nowMs: 1000 });
    expect(again.kind).toBe('waiting');
    const step = endSession(again.library, a.plan.sessionId, a.plan.endMs);
    expect(step.started[0]).toMatchObject({ volume: 'A', drive: a.plan.drive, followOn: true, mountSec: 0, locateSec: 0 });
  });

  it('past MAXNUMMP a session fails at once with ANS1312E and rc 12; it may start once a session ended', () => {
    const library = createLibrary({ ...SPEC, drives: 3, maxNumMp: 1 });
    const a = run(library, 'A', [{ positionBytes: 0, sizeBytes: GB }], 0);
    const b = startSession(a.library, { volume: 'B', files: [{ positionBytes: 0, sizeBytes: GB }], nowMs: 0 });
    expect(b).toMatchObject({ kind: 'failed', message: 'ANS1312E', rc: 12 });
    const freed = endSession(b.library, a.plan.sessionId, a.plan.endMs).library;
    expect(startSession(freed, { volume: 'B', files: [{ positionBytes: 0, sizeBytes: GB }], nowMs: a.plan.endMs }).kind).toBe('started');
  });

  it('a session killed early leaves the head after the last file that landed', () => {
    const a = run(createLibrary(SPEC), 'A', [{ positionBytes: 0, sizeBytes: 10 * GB }, { positionBytes: 500 * GB, sizeBytes: 10 * GB }], 0);
    const killedMs = (a.plan.files[0]?.landedMs ?? 0) + 1000;
    const idle = endSession(a.library, a.plan.sessionId, killedMs).library;
    const next = run(idle, 'A', [{ positionBytes: 10 * GB, sizeBytes: GB }], killedMs);
    expect(next.plan).toMatchObject({ followOn: true, startHeadBytes: 10 * GB, locateSec: 0 });
  });

  it('is pure: the library passed in is never changed', () => {
    const library = createLibrary(SPEC);
    const snapshot = JSON.stringify({ ...library, open: [...library.open], loadsByVolume: [...library.loadsByVolume] });
    run(library, 'A', [{ positionBytes: 0, sizeBytes: GB }], 0);
    expect(JSON.stringify({ ...library, open: [...library.open], loadsByVolume: [...library.loadsByVolume] })).toBe(snapshot);
  });
});
