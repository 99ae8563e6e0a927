import { describe, expect, it } from 'vitest';
import { LTO9_LIBRARY, type LibrarySpec } from '../../src/tape-model/drive-model.js';
import { createEnditRulesPolicy, createTodayPolicy, defaultRetrieverSettings } from '../../src/tape-model/policies.js';
import type { PolicyAdapter } from '../../src/tape-model/policy-adapter.js';
import { idleWhileWaitingSec, latencyStats, mergeIntervals } from '../../src/tape-model/sim-metrics.js';
import { simulate, type SimResult } from '../../src/tape-model/simulate.js';
import { DEFAULT_TRACE_SPEC, generateTrace, type TraceRequest } from '../../src/tape-model/trace.js';
import { ROUND_SPEC } from './round-spec.js';

const GB = 1e9;

const SPEC = ROUND_SPEC;

/** Starts every volume with pending requests and no session, in name order, lists in tape order; looks again every 10 s. */
function greedyPolicy(): PolicyAdapter {
  return {
    name: 'greedy',
    decide(view) {
      const running = new Set(view.running.map((r) => r.volume));
      const sessions = [...view.pending]
        .filter(([volume, requests]) => requests.length > 0 && !running.has(volume))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([volume, requests]) => ({ volume, requests: [...requests].sort((a, b) => a.positionBytes - b.positionBytes) }));
      return { sessions, nextCycleMs: view.nowMs + 10_000 };
    },
    sessionEnded() {},
  };
}

function request(id: string, volume: string, arrivalSec: number, positionGb: number, sizeGb = 10): TraceRequest {
  return { id, volume, arrivalMs: arrivalSec * 1000, positionBytes: positionGb * GB, sizeBytes: sizeGb * GB };
}

function figures(r: SimResult): Record<string, number> {
  return {
    sessions: r.sessions,
    fresh: r.freshMounts,
    followOns: r.followOns,
    remounts: r.avgTapeRemounts,
    mountSec: r.drive.mountSec,
    locateSec: r.drive.locateSec,
    transferSec: r.drive.transferSec,
    unmountSec: r.drive.unmountSec,
    idleSec: r.drive.idleWhileWorkWaitedSec,
    makespanSec: r.makespanSec,
    boundSec: r.lowerBoundSec,
    meanSec: r.latency.meanSec,
    maxSec: r.latency.maxSec,
  };
}

describe('simulator: tiny cases computed by hand (one drive, greedy policy)', () => {
  it.each([
    {
      name: 'two neighbours on one volume: one mount, one locate',
      trace: [request('a', 'V', 0, 500), request('b', 'V', 0, 510)],
      // mount 30; locate 5 + 0.5 × 100 = 55; 10 s each → 95, 105. Unmount at the end: rewind 50 + 52, unload 30.
      want: { sessions: 1, fresh: 1, followOns: 0, remounts: 1, mountSec: 30, locateSec: 55, transferSec: 20, unmountSec: 132, idleSec: 0, makespanSec: 105, boundSec: 50, meanSec: 100, maxSec: 105 },
    },
    {
      name: 'a late request on a volume still mounted: a follow-on',
      trace: [request('a', 'V', 0, 500), request('b', 'V', 200, 510)],
      // a lands at 95; b arrives at 200, the policy looks at 205 (10 s cycles from 95), follows on: 215.
      want: { sessions: 2, fresh: 1, followOns: 1, remounts: 1, mountSec: 30, locateSec: 55, transferSec: 20, unmountSec: 132, idleSec: 5, makespanSec: 215, boundSec: 210, meanSec: 55, maxSec: 95 },
    },
    {
      name: 'two volumes, one drive: the second waits, then evicts the first',
      trace: [request('a', 'V', 0, 500), request('b', 'W', 0, 0)],
      // V: 95. W waits for the drive; at 95 evicts V (rewind 50 + 51, unload 30 = 131), mounts (30), reads (10): 266.
      // Unmount: 131 for V, and W at the end (rewind 50 + 1, unload 30).
      want: { sessions: 2, fresh: 2, followOns: 0, remounts: 1, mountSec: 60, locateSec: 55, transferSec: 20, unmountSec: 212, idleSec: 0, makespanSec: 266, boundSec: 80, meanSec: 180.5, maxSec: 266 },
    },
  ])('$name', ({ trace, want }) => {
    const result = simulate(trace, greedyPolicy(), SPEC);
    const got = figures(result);
    for (const [key, value] of Object.entries(want)) expect(got[key], key).toBeCloseTo(value, 6);
  });

  it('idle while work waited: only drive time idle while a request waits counts', () => {
    // The drive is idle from 95 s to 205 s, but b only arrives at 200: 5 s.
    expect(idleWhileWaitingSec([[200_000, 205_000]], [[[0, 95_000], [205_000, 215_000]]])).toBe(5);
    expect(idleWhileWaitingSec([[0, 100_000]], [[[0, 50_000]], []])).toBe(150);
  });
});

describe('simulator: metrics helpers', () => {
  it('merges intervals and drops empty ones', () => {
    expect(mergeIntervals([[5, 10], [0, 3], [2, 6], [20, 20], [12, 15]])).toEqual([[0, 10], [12, 15]]);
  });

  it('latency: mean, p95 by nearest rank, max', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => (i + 1) * 1000);
    expect(latencyStats(latencies)).toEqual({ meanSec: 50.5, p95Sec: 95, maxSec: 100 });
    expect(latencyStats([])).toEqual({ meanSec: 0, p95Sec: 0, maxSec: 0 });
  });
});

describe('simulator: seeded traces through both baselines', () => {
  const settings = defaultRetrieverSettings(3);
  const small = { ...DEFAULT_TRACE_SPEC, recalls: 120, volumes: 8 };
  const cases = [1, 2, 3].flatMap((seed) => {
    const trace = generateTrace({ ...small, seed });
    return [
      { seed, trace, policy: createEnditRulesPolicy(settings, seed) },
      { seed, trace, policy: createTodayPolicy(settings) },
    ];
  });

  it.each(cases)('seed $seed, $policy.name: every request lands once, never sooner than it can be read', ({ trace, policy }) => {
    const result = simulate(trace, policy, LTO9_LIBRARY);
    expect(result.policy).toBe(policy.name);
    expect(result.landings.map((l) => l.id).sort()).toEqual(trace.map((r) => r.id).sort());
    for (const landing of result.landings) {
      expect(landing.landedMs - landing.arrivalMs).toBeGreaterThanOrEqual(landing.transferSec * 1000);
      expect(landing.driveStartMs).toBeGreaterThanOrEqual(landing.arrivalMs);
    }
    expect(result.lowerBoundSec).toBeLessThanOrEqual(result.makespanSec);
    expect(result.freshMounts + result.followOns).toBe(result.sessions);
    expect(result.avgTapeRemounts).toBeGreaterThanOrEqual(1);
    const totalBytes = trace.reduce((sum, r) => sum + r.sizeBytes, 0);
    expect(result.drive.transferSec).toBeCloseTo(totalBytes / LTO9_LIBRARY.readBytesPerSec, 3);
    expect(result.drive.mountSec).toBeCloseTo(result.freshMounts * (LTO9_LIBRARY.robotMoveSec + LTO9_LIBRARY.loadSec), 6);
    // Every mount ends in an unmount, rewind included.
    expect(result.drive.unmountSec).toBeGreaterThanOrEqual(result.freshMounts * (LTO9_LIBRARY.rewindMinSec + LTO9_LIBRARY.unloadSec));
  });

  it('is deterministic: the same trace and policy give the same figures', () => {
    const trace = generateTrace({ ...small, seed: 5 });
    expect(simulate(trace, createEnditRulesPolicy(settings, 5), LTO9_LIBRARY)).toEqual(simulate(trace, createEnditRulesPolicy(settings, 5), LTO9_LIBRARY));
    expect(simulate(trace, createTodayPolicy(settings), LTO9_LIBRARY)).toEqual(simulate(trace, createTodayPolicy(settings), LTO9_LIBRARY));
  });

  it('with MAXNUMMP below maxworkers, sessions fail (ANS1312E) and their requests still land later', () => {
    const trace = generateTrace({ ...small, seed: 6 });
    const result = simulate(trace, createTodayPolicy(settings), { ...LTO9_LIBRARY, maxNumMp: 1 });
    expect(result.failedSessions).toBeGreaterThan(0);
    expect(result.landings).toHaveLength(trace.length);
  });
});
