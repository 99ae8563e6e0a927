/**
 * Figures of a simulated run: interval arithmetic for drive idleness,
 * latency statistics and the makespan's lower bound. Pure.
 */
import type { LibrarySpec } from './drive-model.js';
import type { TraceRequest } from './trace.js';

export type IntervalMs = readonly [number, number];

/** The union of intervals, sorted and disjoint; empty ones dropped. */
export function mergeIntervals(intervals: readonly IntervalMs[]): IntervalMs[] {
  const sorted = intervals.filter(([from, to]) => to > from).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

function totalMs(merged: readonly IntervalMs[]): number {
  return merged.reduce((sum, [from, to]) => sum + (to - from), 0);
}

/** Time covered by both of two merged interval lists. */
function overlapMs(a: readonly IntervalMs[], b: readonly IntervalMs[]): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.length && j < b.length) {
    const [aFrom, aTo] = a[i] as IntervalMs;
    const [bFrom, bTo] = b[j] as IntervalMs;
    sum += Math.max(0, Math.min(aTo, bTo) - Math.max(aFrom, bFrom));
    if (aTo < bTo) i++;
    else j++;
  }
  return sum;
}

/**
 * Drive seconds spent idle while some request waited for a drive to start
 * on it: drives × waiting time, minus each drive's busy time within it.
 */
export function idleWhileWaitingSec(waiting: readonly IntervalMs[], busyByDrive: readonly (readonly IntervalMs[])[]): number {
  const waits = mergeIntervals(waiting);
  const waitMs = totalMs(waits);
  let idleMs = 0;
  for (const busy of busyByDrive) idleMs += waitMs - overlapMs(waits, mergeIntervals(busy));
  return idleMs / 1000;
}

export interface LatencyStats {
  readonly meanSec: number;
  readonly p95Sec: number;
  readonly maxSec: number;
}

/** Mean, 95th percentile (nearest rank) and maximum. */
export function latencyStats(latenciesMs: readonly number[]): LatencyStats {
  if (latenciesMs.length === 0) return { meanSec: 0, p95Sec: 0, maxSec: 0 };
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
  return { meanSec: mean / 1000, p95Sec: p95 / 1000, maxSec: (sorted[sorted.length - 1] as number) / 1000 };
}

/**
 * No schedule finishes sooner (from time 0): every byte is read, every
 * volume mounted at least once (robot and load), all on `drives` drives;
 * and no file lands before it arrived and was read.
 */
export function makespanLowerBoundSec(trace: readonly TraceRequest[], spec: LibrarySpec): number {
  let transferSec = 0;
  let lastArrivalSec = 0;
  for (const request of trace) {
    const readSec = request.sizeBytes / spec.readBytesPerSec;
    transferSec += readSec;
    lastArrivalSec = Math.max(lastArrivalSec, request.arrivalMs / 1000 + readSec);
  }
  const volumes = new Set(trace.map((r) => r.volume)).size;
  const spreadSec = (transferSec + volumes * (spec.robotMoveSec + spec.loadSec)) / spec.drives;
  return Math.max(spreadSec, lastArrivalSec);
}
