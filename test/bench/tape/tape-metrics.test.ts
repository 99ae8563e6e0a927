import { describe, expect, it } from 'vitest';
import { planShiftedJournal, summarizeRealRun, type RealRunObservation } from '../../../src/bench/tape/tape-metrics.js';
import type { JournalEntry, JournalMount } from '../../../src/fake-dsmc/journal.js';
import type { TraceRequest } from '../../../src/tape-model/trace.js';
import { ROUND_SPEC } from '../../tape-model/round-spec.js';

const SPEC = { ...ROUND_SPEC, drives: 2 }; // 1 GB/s, mount 30 s

const TRACE: TraceRequest[] = [
  { id: 'A', arrivalMs: 0, volume: 'V1', positionBytes: 0, sizeBytes: 1e9 },
  { id: 'C', arrivalMs: 5000, volume: 'V2', positionBytes: 0, sizeBytes: 1e9 },
  { id: 'B', arrivalMs: 10_000, volume: 'V1', positionBytes: 1e9, sizeBytes: 2e9 },
];

function mount(fields: Partial<JournalMount> & Pick<JournalMount, 'volume' | 'drive' | 'startSec' | 'endSec'>): JournalMount {
  return { volumeId: 1, followOn: false, waitSec: 0, unmountSec: 0, mountSec: 30, locateSec: 5, transferSec: 1, files: 1, ...fields };
}

function session(pid: number, done: string[], mounts: JournalMount[]): JournalEntry[] {
  return [
    { event: 'start', timeMs: pid, pid, command: 'retrieve', argv: [], action: 'normal' },
    { event: 'end', timeMs: pid, pid, command: 'retrieve', rc: 0, outcome: 'ok', done, mounts },
  ];
}

const JOURNAL: JournalEntry[] = [
  ...session(1, ['A'], [mount({ volume: 'V1', drive: 0, startSec: 20, endSec: 56 })]),
  ...session(2, ['C'], [mount({ volume: 'V2', drive: 1, waitSec: 10, startSec: 20, endSec: 66 })]),
  ...session(3, ['B'], [mount({ volume: 'V1', drive: 0, followOn: true, mountSec: 0, locateSec: 0, transferSec: 2, startSec: 100, endSec: 102 })]),
  { event: 'unload', timeMs: 9, pid: 9, drive: 1, volume: 'V2', reason: 'retention', startSec: 3666, rewindSec: 50, unloadSec: 30 },
  { event: 'start', timeMs: 4, pid: 4, command: 'retrieve', argv: [], action: 'normal' }, // killed: no end
  { event: 'start', timeMs: 5, pid: 5, command: 'query', argv: [], action: 'normal' },
];

const OBSERVED: RealRunObservation = {
  trace: TRACE,
  arrivalMs: new Map([['A', 0], ['C', 5000], ['B', 10_000]]),
  landedMs: new Map([['A', 56_000], ['C', 66_000], ['B', 102_000]]),
  journal: JOURNAL,
  finalUnloads: [{ drive: 0, volume: 'V1', startMs: 3_702_000, rewindSec: 60, unloadSec: 30, reason: 'retention' }],
  spec: SPEC,
};

describe('summarizeRealRun: the fake journal as a simulator row', () => {
  const summary = summarizeRealRun(OBSERVED, 'real');

  it('counts sessions (mounts), fresh mounts, follow-ons and avgtaperemounts', () => {
    expect(summary.result).toMatchObject({ policy: 'real', sessions: 3, freshMounts: 2, followOns: 1, volumesMounted: 2, avgTapeRemounts: 1, maxVolumeLoads: 1, failedSessions: 0 });
  });

  it('splits drive time: mounts, locates, transfers from the mounts; unmounts from unload entries and the volumes left in drives', () => {
    expect(summary.result.drive).toMatchObject({ mountSec: 60, locateSec: 10, transferSec: 4, unmountSec: 80 + 90 });
  });

  it('idle while work waited: each drive idle during the union of the waits (0–100 s), less its mounts in it', () => {
    // waits A [0, 20], C [5, 30], B [10, 100]: 100 s; drive 0 busy 20–56, drive 1 busy 30–66: 64 s idle each
    expect(summary.result.drive.idleWhileWorkWaitedSec).toBeCloseTo(128, 9);
  });

  it('latency from arrival to landing, makespan from the trace origin, the lower bound of the simulator', () => {
    expect(summary.result.latency.meanSec).toBeCloseTo((56 + 61 + 92) / 3, 9);
    expect(summary.result.latency).toMatchObject({ p95Sec: 92, maxSec: 92 });
    expect(summary.result.makespanSec).toBe(102);
    expect(summary.result.lowerBoundSec).toBe(32); // (4 s read + 2 × 30 s mount) / 2 drives
    expect(summary.result.landings.find((l) => l.id === 'C')).toMatchObject({ arrivalMs: 5000, driveStartMs: 30_000, landedMs: 66_000 });
  });

  it('delivered files, dsmc retrieve sessions and those killed (no end entry)', () => {
    expect(summary).toMatchObject({ delivered: 3, dsmcSessions: 4, dsmcSessionsLost: 1 });
  });

  it('a file that did not land is left out; one whose mount is not journaled waited until it landed', () => {
    const partial = summarizeRealRun({ ...OBSERVED, landedMs: new Map([['A', 56_000], ['C', 70_000]]), journal: JOURNAL.slice(0, 2) }, 'real');
    expect(partial.delivered).toBe(2);
    expect(partial.result.landings.find((l) => l.id === 'C')).toMatchObject({ driveStartMs: 70_000 });
  });
});

describe('planShiftedJournal', () => {
  it('moves mounts and unloads onto the trace clock, leaving the rest', () => {
    const shifted = planShiftedJournal(JOURNAL, 10);
    const end = shifted.find((e) => e.event === 'end');
    expect(end?.event === 'end' ? end.mounts?.[0] : undefined).toMatchObject({ startSec: 30, endSec: 66 });
    expect(shifted.find((e) => e.event === 'unload')).toMatchObject({ startSec: 3676 });
    expect(shifted.filter((e) => e.event === 'start')).toEqual(JOURNAL.filter((e) => e.event === 'start'));
    expect(planShiftedJournal(JOURNAL, 0)).toEqual(JOURNAL);
  });
});
