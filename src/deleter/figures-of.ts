import type { DeleterFigureValues } from './figures.js';
export interface DeleterCounters {
  queuedFiles: number;
  deletedFiles: number;
  failedRuns: number;
  /** dsmc delete sessions, counted as they end (one per session record). */
  sessions: number;
}

export interface DeleterSnapshotFigures {
  readonly waitingIds: number;
  readonly heldIds: number;
  readonly queueFiles: number;
  readonly lastRunMs: number | null;
  readonly lastRunSuccess: boolean;
  readonly nextRunMs: number | null;
  readonly sessionRunning: boolean;
  readonly backoffFailures: number;
  readonly backoffRemainingMs: number;
}

const unixSeconds = (ms: number | null): number => (ms === null ? 0 : Math.floor(ms / 1000));

/** The figures of SPEC 9 for the deleter, from what the cycle knows. */
export function deleterFigureValues(counters: DeleterCounters, s: DeleterSnapshotFigures): DeleterFigureValues {
  return {
    deleter_queued_files: counters.queuedFiles,
    deleter_deleted_files: counters.deletedFiles,
    deleter_failed_runs: counters.failedRuns,
    deleter_sessions_total: counters.sessions,
    deleter_waiting_files: s.waitingIds,
    deleter_held_files: s.heldIds,
    deleter_queue_files: s.queueFiles,
    deleter_lastrun_time: unixSeconds(s.lastRunMs),
    deleter_lastrun_success: s.lastRunMs !== null && s.lastRunSuccess ? 1 : 0,
    deleter_nextrun_time: unixSeconds(s.nextRunMs),
    deleter_busyworkers: s.sessionRunning ? 1 : 0,
    deleter_backoff_failures: s.backoffFailures,
    deleter_backoff_seconds: Math.ceil(s.backoffRemainingMs / 1000),
  };
}
