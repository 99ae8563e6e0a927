import type { ArchiverFigureValues } from './figures.js';
export interface ArchiverCounters {
  flushedBytes: number;
  flushedFiles: number;
  flushRetries: number;
  /** dsmc archive sessions, counted as they end (one per session record). */
  sessions: number;
}

/** Usage (all of out/) and pending (in out/, in no running session) totals. */
export interface ArchiverTotals {
  readonly usageFiles: number;
  readonly usageBytes: number;
  readonly pendingFiles: number;
  readonly pendingBytes: number;
}

export interface ArchiverSnapshotFigures {
  readonly totals: ArchiverTotals;
  readonly workingFiles: number;
  readonly workingBytes: number;
  readonly heldFiles: number;
  readonly runningSessions: number;
  readonly level: number;
  readonly backoffFailures: number;
  readonly backoffRemainingMs: number;
}

/** The figures of SPEC 9 for the archiver, from totals the cycle keeps: nothing here is proportional to the number of files. */
export function archiverFigureValues(counters: ArchiverCounters, s: ArchiverSnapshotFigures): ArchiverFigureValues {
  return {
    archiver_flushed_bytes: counters.flushedBytes,
    archiver_flushed_files: counters.flushedFiles,
    archiver_flush_retries: counters.flushRetries,
    archiver_sessions_total: counters.sessions,
    archiver_usage_bytes: s.totals.usageBytes,
    archiver_usage_files: s.totals.usageFiles,
    archiver_working_bytes: s.workingBytes,
    archiver_working_files: s.workingFiles,
    archiver_pending_bytes: s.totals.pendingBytes,
    archiver_pending_files: s.totals.pendingFiles,
    archiver_held_files: s.heldFiles,
    archiver_busyworkers: s.runningSessions,
    archiver_maxworkers: s.level,
    archiver_backoff_failures: s.backoffFailures,
    archiver_backoff_seconds: Math.ceil(s.backoffRemainingMs / 1000),
  };
}
