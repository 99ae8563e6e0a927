import { listingIntervalMs, type PoolFiles } from '../core/pool/index.js';

/** What the cycle knows before it looks at anything. */
export interface CycleWorkView {
  readonly nowMs: number;
  readonly sleepMs: number;
  /** When out/ was last brought up to date; -Infinity before the first time. */
  readonly lastScanMs: number;
  /** How long the last complete listing of out/ took (0: none yet, or it was cut into parts). */
  readonly lastListingTookMs: number;
  readonly lastDecisionMs: number;
  /** From the last decision: when time alone could change it; null: only events can. */
  readonly recheckAtMs: number | null;
  /** Something changed since the last decision (sessions started, new configuration). */
  readonly changed: boolean;
  /** Sessions that ended since the last cycle. */
  readonly sessionsEnded: number;
  readonly skipDelays: boolean;
  /** A listing of out/ handed out part of its files and goes on (a SIGUSR1 came during it). */
  readonly listingPending: boolean;
}

export interface CycleWorkDecision {
  /**
   * `full`: list out/ now (a session ended: which of its files are gone?; the
   * first cycle; SIGUSR1), or go on with the listing under way. `changed`:
   * sleeptime passed, and LISTING_DUTY times as long as the last listing
   * took: list out/ if its mtime shows a change. `none`: nothing to look at.
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
  // A SIGUSR1 during a listing acts on what it found so far first (issue 15 item 4); the listing goes on the cycle after.
  if (view.listingPending) return { scan: view.skipDelays ? 'none' : 'full', decide: true };
  const changedDue = clockWentBack || view.nowMs - view.lastScanMs >= listingIntervalMs(view.sleepMs, view.lastListingTookMs);
  const scan = view.sessionsEnded > 0 || firstCycle || view.skipDelays ? 'full' : changedDue ? 'changed' : 'none';
  const timerDue = view.recheckAtMs !== null && view.nowMs >= view.recheckAtMs;
  const decide = firstCycle || view.changed || view.sessionsEnded > 0 || view.skipDelays || timerDue || clockWentBack;
  return { scan, decide };
}

/** Marks on a file of a running session, from dsmc's output. */
export const SENT_MARK = 1;
/** dsmc said it could not get at the file (ANS4007E) after archiving it: its removal failed. */
export const NOT_REMOVED_MARK = 2;

/** What the end of a session knows about one file of its list. */
export interface EndedFileView {
  stillInOut(name: string): boolean;
  /** SENT_MARK | NOT_REMOVED_MARK. */
  marksOf(name: string): number;
  /** dsmc exited by itself: its transactions are settled (killed, the last one may be rolled back). */
  readonly exited: boolean;
}

/** What became of a file of a finished session (classifyEndedFiles). */
export const ENDED_FLUSHED = 0;
export const ENDED_SENT_STILL_IN_OUT = 1;
export const ENDED_LEFT = 2;

/**
 * Files of a finished session. Gone from out/: on tape (flushed). Still there
 * but confirmed sent (dsmc printed `[Sent]`, and then exited by itself or said
 * it could not remove the file): on tape too, never to be archived again
 * (ENDED_SENT_STILL_IN_OUT). Otherwise still there: retry (ENDED_LEFT).
 * One byte per file of the list, in its order: the end of a session of half
 * a million files builds no table of them (issue 15: that peaked the
 * archiver's memory). Pure.
 */
export function classifyEndedFiles(files: PoolFiles, view: EndedFileView): Uint8Array {
  const classes = new Uint8Array(files.length);
  for (let i = 0; i < files.length; i++) {
    const name = files.name(i);
    if (!view.stillInOut(name)) continue; // ENDED_FLUSHED
    const marks = view.marksOf(name);
    const confirmed = (marks & SENT_MARK) !== 0 && (view.exited || (marks & NOT_REMOVED_MARK) !== 0);
    classes[i] = confirmed ? ENDED_SENT_STILL_IN_OUT : ENDED_LEFT;
  }
  return classes;
}
