import { describe, expect, it } from 'vitest';
import { combineVerdicts, decideTapeTargets, planWaitFigures, type TargetInputs } from '../../../src/bench/tape/tape-targets.js';
import type { SimResult } from '../../../src/tape-model/simulate.js';

function row(policy: string, figures: { remounts: number; meanSec: number; p95Sec: number; makespanSec: number }): SimResult {
  return {
    policy,
    sessions: 0,
    freshMounts: 0,
    followOns: 0,
    failedSessions: 0,
    volumesMounted: 0,
    avgTapeRemounts: figures.remounts,
    maxVolumeLoads: 0,
    drive: { mountSec: 0, locateSec: 0, transferSec: 0, unmountSec: 0, idleWhileWorkWaitedSec: 0 },
    makespanSec: figures.makespanSec,
    lowerBoundSec: 0,
    latency: { meanSec: figures.meanSec, p95Sec: figures.p95Sec, maxSec: figures.p95Sec },
    landings: [],
  };
}

const ENDIT_RULES = row('endit-rules', { remounts: 1.5, meanSec: 4000, p95Sec: 8000, makespanSec: 12_000 });
const TODAY = row('today', { remounts: 1.4, meanSec: 3000, p95Sec: 3900, makespanSec: 5900 });
const GOOD: TargetInputs = {
  run: row('run', { remounts: 1.1, meanSec: 2000, p95Sec: 3800, makespanSec: 5800 }),
  today: TODAY,
  enditRules: ENDIT_RULES,
  waits: { maxWaitSec: 7000, boundSec: 9000 },
  emergencyKills: 0,
};

describe('decideTapeTargets (issue 11 §4)', () => {
  it('a run within every target meets them all', () => {
    const verdicts = decideTapeTargets(GOOD);
    expect(verdicts.map((v) => v.target)).toEqual([
      'avgtaperemounts ≤ 1.15',
      "mean latency ≤ 0.75× today's",
      "p95 latency ≤ today's",
      'p95 latency ≤ 0.5× ENDIT rules',
      "makespan ≤ today's",
      'makespan ≤ 0.5× ENDIT rules',
      'longest wait for a drive ≤ reqlistfillwaitmax + one session',
      'zero emergency kills',
    ]);
    expect(verdicts.every((v) => v.met)).toBe(true);
    expect(verdicts[1]?.measured).toBe('2000 s (limit 2250 s)');
  });

  it.each<[string, Partial<TargetInputs>, number]>([
    ['remounts', { run: row('run', { remounts: 1.16, meanSec: 2000, p95Sec: 3800, makespanSec: 5800 }) }, 0],
    ['mean latency', { run: row('run', { remounts: 1.1, meanSec: 2251, p95Sec: 3800, makespanSec: 5800 }) }, 1],
    ['p95 against today', { run: row('run', { remounts: 1.1, meanSec: 2000, p95Sec: 3901, makespanSec: 5800 }) }, 2],
    ['p95 against the ENDIT rules', { enditRules: row('e', { remounts: 1, meanSec: 1, p95Sec: 7000, makespanSec: 12_000 }) }, 3],
    ['makespan against today', { run: row('run', { remounts: 1.1, meanSec: 2000, p95Sec: 3800, makespanSec: 5901 }) }, 4],
    ['makespan against the ENDIT rules', { enditRules: row('e', { remounts: 1, meanSec: 1, p95Sec: 8000, makespanSec: 11_000 }) }, 5],
    ['waits', { waits: { maxWaitSec: 9001, boundSec: 9000 } }, 6],
    ['kills', { emergencyKills: 1 }, 7],
  ])('misses only the %s target when that one is over', (_name, change, missed) => {
    const verdicts = decideTapeTargets({ ...GOOD, ...change });
    expect(verdicts.flatMap((v, i) => (v.met ? [] : [i]))).toEqual([missed]);
  });

  it('planWaitFigures: the longest wait for a drive, and the fill wait max plus the longest session', () => {
    const landings = [
      { id: 'a', arrivalMs: 0, driveStartMs: 100_000, landedMs: 400_000, transferSec: 1 },
      { id: 'b', arrivalMs: 50_000, driveStartMs: 100_000, landedMs: 300_000, transferSec: 1 },
      { id: 'c', arrivalMs: 60_000, driveStartMs: 500_000, landedMs: 600_000, transferSec: 1 },
    ];
    expect(planWaitFigures(landings, 7200)).toEqual({ maxWaitSec: 440, boundSec: 7200 + 300 });
    expect(planWaitFigures([], 7200)).toEqual({ maxWaitSec: 0, boundSec: 7200 });
  });

  it('combineVerdicts: judged on the means, with how many seeds met each target', () => {
    const missing = decideTapeTargets({ ...GOOD, emergencyKills: 2 });
    const combined = combineVerdicts(decideTapeTargets(GOOD), [decideTapeTargets(GOOD), missing]);
    expect(combined[7]).toEqual({ target: 'zero emergency kills', measured: '0; met in 1 of 2 seeds', met: true });
    expect(combined[0]?.measured).toBe('1.10 (limit 1.15); met in 2 of 2 seeds');
  });
});
