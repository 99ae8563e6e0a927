import { describe, expect, it } from 'vitest';
import { GIB } from '../../src/core/units.js';
import {
  decideArchiverCycle,
  decideLevel,
  INITIAL_ARCHIVER_STATE,
  nextDescription,
  oldestFirst,
  recordArchiveOutcome,
  splitIntoSessions,
  thresholdLevel,
  type ArchiverState,
  type ArchiverView,
} from '../../src/archiver/policy.js';
import { PoolFiles, type PoolFile } from '../../src/core/pool/index.js';
import { ARCHIVER_TEST_SETTINGS } from './test-settings.js';

const settings = ARCHIVER_TEST_SETTINGS;

const T0 = 1_700_000_000_000;

/** `count` files of `gib` GiB each, mtimes one second apart starting at `mtimeMs`. */
function files(count: number, gib: number, mtimeMs = T0 - 1000, prefix = 'A'): PoolFile[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${String(i).padStart(5, '0')}`,
    sizeBytes: gib * GIB,
    mtimeMs: mtimeMs + i * 1000,
  }));
}

/** A view whose files are given as objects (the policy takes them as columns). */
function view(over: Omit<Partial<ArchiverView>, 'files'> & { readonly files?: readonly PoolFile[] }): ArchiverView {
  const { files: given = [], ...rest } = over;
  return { nowMs: T0, working: new Set(), held: new Set(), runningSessions: 0, endedSessions: 0, skipDelays: false, ...rest, files: PoolFiles.of(given) };
}

describe('thresholdLevel', () => {
  it.each([
    [0, 0],
    [10 * GIB, 0], // must exceed, not equal
    [10 * GIB + 1, 1],
    [25 * GIB, 2],
    [31 * GIB, 3],
    [1000 * GIB, 3],
  ])('usage %d bytes → level %d', (usage, level) => {
    expect(thresholdLevel(usage, settings.thresholdsBytes)).toBe(level);
  });

  it('skips unset thresholds', () => {
    expect(thresholdLevel(50 * GIB, [10 * GIB, undefined, 40 * GIB])).toBe(3);
  });
});

describe('decideLevel (hysteresis)', () => {
  it.each([
    // previous level, usage GiB, expected
    [0, 5, 0],
    [0, 15, 1],
    [1, 25, 2],
    [2, 35, 3], // ramp up to 3
    [3, 25, 3], // between t3 and t2: keep 3
    [3, 15, 2], // below t2: step down
    [2, 5, 1], // below t1: keep one session until out/ is empty
    [1, 5, 1],
    [3, 0, 0], // empty
  ])('previous %d, usage %d GiB → %d', (previous, gib, expected) => {
    expect(decideLevel(previous, gib * GIB, settings.thresholdsBytes)).toBe(expected);
  });
});

describe('decideArchiverCycle', () => {
  it('does nothing below threshold 1 before the timeout, and says when it will flush', () => {
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(2, 1) }));
    expect(d.sessions).toEqual([]);
    expect(d.nextState.waitStartMs).toBe(T0 - 1000);
    expect(d.reasons.join()).toMatch(/until timeout/);
  });

  it('starts one session with everything over threshold 1, oldest first', () => {
    const fs = files(11, 1).reverse();
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: fs }));
    expect(d.sessions).toHaveLength(1);
    expect(d.sessions[0]?.files.map((f) => f.name)).toEqual([...fs].reverse().map((f) => f.name));
    expect(d.nextState.level).toBe(1);
  });

  it('ramps up to 3 sessions as usage crosses thresholds, splitting by bytes', () => {
    const fs = files(33, 1);
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: fs }));
    expect(d.nextState.level).toBe(3);
    expect(d.sessions).toHaveLength(3);
    expect(d.sessions.map((s) => s.files.length)).toEqual([11, 11, 11]);
    // Oldest files go in the first session; no file twice.
    expect(d.sessions[0]?.files.name(0)).toBe('A00000');
    const all = d.sessions.flatMap((s) => s.files.map((f) => f.name));
    expect(new Set(all).size).toBe(33);
  });

  it('adds sessions up to the level while some already run', () => {
    const fs = files(25, 1);
    const working = new Set(fs.slice(0, 12).map((f) => f.name));
    const state: ArchiverState = { ...INITIAL_ARCHIVER_STATE, level: 1 };
    const d = decideArchiverCycle(settings, state, view({ files: fs, working, runningSessions: 1 }));
    expect(d.nextState.level).toBe(2);
    // 13 GiB pending > threshold 1: one more session.
    expect(d.sessions).toHaveLength(1);
    expect(d.sessions[0]?.files.toArray().every((f) => !working.has(f.name))).toBe(true);
  });

  it('does not start a session for a pending part below threshold 1 while one runs', () => {
    const fs = files(25, 1);
    const working = new Set(fs.slice(0, 20).map((f) => f.name));
    const d = decideArchiverCycle(settings, { ...INITIAL_ARCHIVER_STATE, level: 2 }, view({ files: fs, working, runningSessions: 1 }));
    expect(d.sessions).toEqual([]);
  });

  it('keeps the mounted tapes busy: when one of two sessions ends, a new one takes the small rest', () => {
    const fs = files(22, 1);
    const working = new Set(fs.slice(0, 17).map((f) => f.name));
    const d = decideArchiverCycle(settings, { ...INITIAL_ARCHIVER_STATE, level: 2 }, view({ files: fs, working, runningSessions: 1, endedSessions: 1 }));
    expect(d.sessions).toHaveLength(1);
    expect(d.sessions[0]?.files).toHaveLength(5);
  });

  it('ramps down: after usage falls, fewer sessions are wanted', () => {
    const d = decideArchiverCycle(settings, { ...INITIAL_ARCHIVER_STATE, level: 3 }, view({ files: files(15, 1) }));
    expect(d.nextState.level).toBe(2);
  });

  it('flushes everything in one session after archiver_timeout', () => {
    const state: ArchiverState = { ...INITIAL_ARCHIVER_STATE, waitStartMs: T0 - 3_600_000 };
    const d = decideArchiverCycle(settings, state, view({ files: files(1, 1, T0 - 10) }));
    expect(d.sessions).toHaveLength(1);
    expect(d.reasons.join()).toMatch(/archiver_timeout/);
    expect(d.nextState.waitStartMs).toBeNull();
  });

  it('counts the wait from the oldest mtime after a restart', () => {
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(1, 1, T0 - 3_600_001) }));
    expect(d.sessions).toHaveLength(1);
  });

  it('uses archiver_retrytimeout, counted from the failure, for files left by a failed session', () => {
    const failed = recordArchiveOutcome({ ...INITIAL_ARCHIVER_STATE, waitStartMs: T0 - 10_000_000 }, false, T0);
    expect(failed.retryPending).toBe(true);
    const fs = files(1, 1, T0 - 10_000_000);
    // Back-off (60 s) is over, retry timeout (600 s) not yet.
    expect(decideArchiverCycle(settings, failed, view({ nowMs: T0 + 300_000, files: fs })).sessions).toEqual([]);
    const d = decideArchiverCycle(settings, failed, view({ nowMs: T0 + 600_000, files: fs }));
    expect(d.sessions).toHaveLength(1);
    expect(d.reasons.join()).toMatch(/archiver_retrytimeout/);
  });

  it('backs off exponentially after failed sessions, even over threshold', () => {
    let state = recordArchiveOutcome(INITIAL_ARCHIVER_STATE, false, T0);
    state = recordArchiveOutcome(state, false, T0);
    const fs = files(15, 1);
    // Two failures: wait 2 × sleeptime.
    expect(decideArchiverCycle(settings, state, view({ nowMs: T0 + 119_000, files: fs })).sessions).toEqual([]);
    expect(decideArchiverCycle(settings, state, view({ nowMs: T0 + 120_000, files: fs })).sessions).toHaveLength(1);
    // A success resets it.
    expect(recordArchiveOutcome(state, true, T0).backoff.failures).toBe(0);
  });

  it('SIGUSR1 flushes whatever is pending at once, ignoring thresholds, timers and back-off', () => {
    const state = recordArchiveOutcome(INITIAL_ARCHIVER_STATE, false, T0);
    const d = decideArchiverCycle(settings, state, view({ files: files(1, 0.001), skipDelays: true }));
    expect(d.sessions).toHaveLength(1);
    expect(d.reasons.join()).toMatch(/SIGUSR1/);
  });

  it('resets timers and state when out/ is empty', () => {
    const state: ArchiverState = { ...INITIAL_ARCHIVER_STATE, level: 2, waitStartMs: T0 - 5, retryPending: true };
    const d = decideArchiverCycle(settings, state, view({ files: [] }));
    expect(d.nextState.level).toBe(0);
    expect(d.nextState.waitStartMs).toBeNull();
    expect(d.nextState.retryPending).toBe(false);
  });

  it('a clock that jumps backwards neither fires the timeout early nor stalls it forever', () => {
    const state: ArchiverState = { ...INITIAL_ARCHIVER_STATE, waitStartMs: T0 };
    const back = decideArchiverCycle(settings, state, view({ nowMs: T0 - 86_400_000, files: files(1, 1, T0 - 86_400_000 - 5) }));
    expect(back.sessions).toEqual([]);
    expect(back.nextState.waitStartMs).toBe(T0 - 86_400_000);
    const later = decideArchiverCycle(settings, back.nextState, view({ nowMs: T0 - 86_400_000 + 3_600_000, files: files(1, 1, T0 - 86_400_000 - 5) }));
    expect(later.sessions).toHaveLength(1);
  });
});

describe('decideArchiverCycle: when to look again (recheckAtMs)', () => {
  it('below threshold 1 with no session running: when archiver_timeout runs out', () => {
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(2, 1) }));
    expect(d.recheckAtMs).toBe(T0 - 1000 + settings.timeoutMs);
  });

  it('after a failure: when archiver_retrytimeout runs out, counted from the failure', () => {
    const failed = recordArchiveOutcome(INITIAL_ARCHIVER_STATE, false, T0);
    const d = decideArchiverCycle(settings, failed, view({ nowMs: T0 + 300_000, files: files(1, 1, T0 - 10_000_000) }));
    expect(d.sessions).toEqual([]);
    expect(d.recheckAtMs).toBe(T0 + settings.retryTimeoutMs);
  });

  it('during a back-off: when it ends', () => {
    let state = recordArchiveOutcome(INITIAL_ARCHIVER_STATE, false, T0);
    state = recordArchiveOutcome(state, false, T0);
    const d = decideArchiverCycle(settings, state, view({ nowMs: T0 + 100_000, files: files(15, 1) }));
    expect(d.recheckAtMs).toBe(T0 + 120_000);
    // Asked again at that moment, it starts the session.
    expect(decideArchiverCycle(settings, state, view({ nowMs: d.recheckAtMs ?? 0, files: files(15, 1) })).sessions).toHaveLength(1);
  });

  it.each<[string, Parameters<typeof view>[0]]>([
    ['out/ empty', { files: [] }],
    ['sessions started', { files: files(11, 1) }],
    ['everything in running sessions', { files: files(11, 1), working: new Set(files(11, 1).map((f) => f.name)), runningSessions: 1 }],
    ['a session runs and the rest is below threshold 1', { files: files(12, 1), working: new Set(files(11, 1).map((f) => f.name)), runningSessions: 1 }],
  ])('only events can change it: %s', (_what, over) => {
    expect(decideArchiverCycle(settings, { ...INITIAL_ARCHIVER_STATE, level: 1 }, view(over)).recheckAtMs).toBeNull();
  });

  it('accepts the Map of working files the cycle keeps', () => {
    const fs = files(25, 1);
    const working = new Map(fs.slice(0, 20).map((f) => [f.name, f]));
    const d = decideArchiverCycle(settings, { ...INITIAL_ARCHIVER_STATE, level: 2 }, view({ files: fs, working, runningSessions: 1 }));
    expect(d.pending).toEqual({ files: 5, bytes: 5 * GIB });
  });
});

describe('session descriptions', () => {
  it('are unique within one second', () => {
    const a = nextDescription(null, T0);
    const b = nextDescription(a.last, T0 + 10);
    const c = nextDescription(b.last, T0 + 2000);
    expect(a.description).toMatch(/^ENDIT-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
    expect(b.description).toBe(`${a.description}-2`);
    expect(c.description).not.toBe(a.description);
    expect(c.description).toMatch(/^ENDIT-[^-]+-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
  });

  it('three sessions started together differ', () => {
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(33, 1) }));
    expect(new Set(d.sessions.map((s) => s.description)).size).toBe(3);
  });
});

describe('oldestFirst', () => {
  it('orders by mtime, then by name among equal mtimes, like one comparator would', () => {
    const names = Array.from({ length: 500 }, (_, i) => `${((i * 7919) % 1000).toString(16).toUpperCase()}`);
    const input: PoolFile[] = names.map((name, i) => ({ name, sizeBytes: 1, mtimeMs: T0 + ((i * 31) % 17) * 4 + (i % 3 === 0 ? 0.5 : 0) }));
    const expected = [...input].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    expect(oldestFirst(PoolFiles.of(input)).toArray()).toEqual(expected);
    expect(input).toHaveLength(500); // not sorted in place
  });
});

describe('splitIntoSessions', () => {
  it('gives every session at least one file and never more sessions than files', () => {
    expect(splitIntoSessions(PoolFiles.of(files(2, 5)), new Uint32Array([0, 1]), 3, 1).map((c) => c.length)).toEqual([1, 1]);
  });
});

describe('fault 2: held files (archived, but nobody could remove them from out/)', () => {
  const all = files(3, 1, T0 - 7_200_000);
  const held = new Set(all.slice(0, 2).map((f) => f.name));

  it('are never planned again, not on SIGUSR1 nor after archiver_timeout; they count in usage only', () => {
    const flushNow = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: all, held, skipDelays: true }));
    expect(flushNow.sessions.flatMap((s) => s.files.map((f) => f.name))).toEqual([all[2]?.name]);
    expect(flushNow.usage).toEqual({ files: 3, bytes: 3 * GIB });
    expect(flushNow.pending).toEqual({ files: 1, bytes: GIB });
    for (const skipDelays of [true, false]) {
      const onlyHeld = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: all.slice(0, 2), held, skipDelays }));
      expect(onlyHeld.sessions).toEqual([]);
      expect(onlyHeld.pending.files).toBe(0);
      expect(onlyHeld.recheckAtMs).toBeNull();
    }
  });
});
