import type { PoolFile } from '../core/pool/index.js';

export interface ArchiverCounters {
  flushedBytes: number;
  flushedFiles: number;
  flushRetries: number;
}

export interface ArchiverSnapshotFigures {
  readonly files: readonly PoolFile[];
  readonly working: ReadonlyMap<string, PoolFile>;
  readonly runningSessions: number;
  readonly level: number;
  readonly backoffFailures: number;
  readonly backoffRemainingMs: number;
}

/** The figures of SPEC 9 for the archiver, from what the cycle knows. */
export function archiverFigureValues(counters: ArchiverCounters, s: ArchiverSnapshotFigures): Record<string, number> {
  let usageBytes = 0;
  let pendingBytes = 0;
  let pendingFiles = 0;
  for (const f of s.files) {
    usageBytes += f.sizeBytes;
    if (!s.working.has(f.name)) {
      pendingBytes += f.sizeBytes;
      pendingFiles++;
    }
  }
  let workingBytes = 0;
  for (const f of s.working.values()) workingBytes += f.sizeBytes;
  return {
    archiver_flushed_bytes: counters.flushedBytes,
    archiver_flushed_files: counters.flushedFiles,
    archiver_flush_retries: counters.flushRetries,
    archiver_usage_bytes: usageBytes,
    archiver_usage_files: s.files.length,
    archiver_working_bytes: workingBytes,
    archiver_working_files: s.working.size,
    archiver_pending_bytes: pendingBytes,
    archiver_pending_files: pendingFiles,
    archiver_busyworkers: s.runningSessions,
    archiver_maxworkers: s.level,
    archiver_backoff_failures: s.backoffFailures,
    archiver_backoff_seconds: Math.ceil(s.backoffRemainingMs / 1000),
  };
}
