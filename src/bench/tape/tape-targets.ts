/**
 * The targets of issue 11 §4, judged on a run against the simulator's two
 * baselines (today's policy, the ENDIT rules) on the same trace. Pure.
 */
import type { Landing, SimResult } from '../../tape-model/simulate.js';

export interface TargetVerdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** How long requests waited for a drive, against retriever_reqlistfillwaitmax plus one session. */
export interface WaitFigures {
  /** The longest time from a request's arrival to a drive starting on its session. */
  readonly maxWaitSec: number;
  /** reqlistfillwaitmax plus the longest session of the run (drive start to its last file). */
  readonly boundSec: number;
}

export interface TargetInputs {
  readonly run: SimResult;
  readonly today: SimResult;
  readonly enditRules: SimResult;
  readonly waits: WaitFigures;
  readonly emergencyKills: number;
}

export function planWaitFigures(landings: readonly Landing[], fillWaitMaxSec: number): WaitFigures {
  let maxWaitMs = 0;
  let longestSessionMs = 0;
  for (const l of landings) {
    maxWaitMs = Math.max(maxWaitMs, l.driveStartMs - l.arrivalMs);
    // A session ends when its last file lands: the longest landing after a drive start is the longest session.
    longestSessionMs = Math.max(longestSessionMs, l.landedMs - l.driveStartMs);
  }
  return { maxWaitSec: maxWaitMs / 1000, boundSec: fillWaitMaxSec + longestSessionMs / 1000 };
}

function sec(value: number): string {
  return `${Math.round(value)} s`;
}

function atMost(target: string, value: number, limit: number, show: (v: number) => string): TargetVerdict {
  return { target, measured: `${show(value)} (limit ${show(limit)})`, met: value <= limit + 1e-9 };
}

/** Each target with what was measured and whether it holds. */
export function decideTapeTargets(inputs: TargetInputs): TargetVerdict[] {
  const { run, today, enditRules, waits } = inputs;
  return [
    atMost('avgtaperemounts ≤ 1.15', run.avgTapeRemounts, 1.15, (v) => v.toFixed(2)),
    atMost("mean latency ≤ 0.75× today's", run.latency.meanSec, 0.75 * today.latency.meanSec, sec),
    atMost("p95 latency ≤ today's", run.latency.p95Sec, today.latency.p95Sec, sec),
    atMost('p95 latency ≤ 0.5× ENDIT rules', run.latency.p95Sec, 0.5 * enditRules.latency.p95Sec, sec),
    atMost("makespan ≤ today's", run.makespanSec, today.makespanSec, sec),
    atMost('makespan ≤ 0.5× ENDIT rules', run.makespanSec, 0.5 * enditRules.makespanSec, sec),
    atMost('longest wait for a drive ≤ reqlistfillwaitmax + one session', waits.maxWaitSec, waits.boundSec, sec),
    { target: 'zero emergency kills', measured: String(inputs.emergencyKills), met: inputs.emergencyKills === 0 },
  ];
}

/** The verdicts on the means over seeds, each with how many seeds met it on its own. */
export function combineVerdicts(onMeans: readonly TargetVerdict[], perSeed: ReadonlyArray<readonly TargetVerdict[]>): TargetVerdict[] {
  return onMeans.map((verdict, i) => {
    const metSeeds = perSeed.filter((verdicts) => verdicts[i]?.met === true).length;
    return { ...verdict, measured: `${verdict.measured}; met in ${metSeeds} of ${perSeed.length} seeds` };
  });
}
