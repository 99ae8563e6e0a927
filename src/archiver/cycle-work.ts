import type { PoolFile } from '../core/pool/index.js';

/** What the cycle knows before it looks at anything. */
export interface CycleWorkView {
  readonly nowMs: number;
  readonly sleepMs: number;
  /** When out/ was last brought up to date; -Infinity before the first time. */
  readonly lastScanMs: number;
  readonly lastDecisionMs: number;
  /** From the last decision: when time alone could change it; null: only events can. */
  readonly recheckAtMs: number | null;
  /** Something changed since the last decision (sessions started, new configuration). */
  readonly changed: boolean;
  /** Sessions that ended since the last cycle. */
  readonly sessionsEnded: number;
  readonly skipDelays: boolean;
}

export interface CycleWorkDecision {
  /**
   * `full`: list out/ now (a session ended: which of its files are gone?; the
   * first cycle; SIGUSR1). `changed`: sleeptime passed, list out/ if its
   * mtime shows a change. `none`: nothing to look at.
   */
  readonly scan: 'full' | 'changed' | 'none';
  /** Whether to run the policy (it also runs whenever the scan finds changes). */
  readonly decide: boolean;
}

/**
 * Which work a cycle does. The 1-s loop while sessions run costs next to
 * nothing unless something happened: a million files are not summed, sorted
 * or stat-ed every second. Pure.
 */
export function decideCycleWork(view: CycleWorkView): CycleWorkDecision {
  const clockWentBack = view.nowMs < view.lastScanMs || view.nowMs < view.lastDecisionMs;
  const firstCycle = view.lastScanMs === -Infinity;
  const scan = view.sessionsEnded > 0 || firstCycle || view.skipDelays ? 'full' : clockWentBack || view.nowMs - view.lastScanMs >= view.sleepMs ? 'changed' : 'none';
  const timerDue = view.recheckAtMs !== null && view.nowMs >= view.recheckAtMs;
  const decide = firstCycle || view.changed || view.sessionsEnded > 0 || view.skipDelays || timerDue || clockWentBack;
  return { scan, decide };
}

/** Files of a finished session: gone from out/ means on tape (flushed); still there means retry (left). Pure. */
export function classifyFinishedFiles(files: readonly PoolFile[], stillInOut: (name: string) => boolean): { flushed: PoolFile[]; left: PoolFile[] } {
  const flushed: PoolFile[] = [];
  const left: PoolFile[] = [];
  for (const file of files) (stillInOut(file.name) ? left : flushed).push(file);
  return { flushed, left };
}
