import type { HistogramSnapshot } from '../core/stats/index.js';
import type { RetrieverFigureValues } from './figures.js';
import type { SpaceState } from './space.js';
import { spaceStateNumber } from './space.js';
import type { RetrieverCounters } from './retrieve-sessions.js';

/** What the cycle knows, for the figures of SPEC 9 (retriever). */
export interface RetrieverFigureInputs {
  readonly pending: { readonly files: number; readonly bytes: number; readonly volumes: number };
  /** Request files listed and not read yet; absent: none. */
  readonly unreadFiles?: number;
  readonly working: { readonly files: number; readonly bytes: number; readonly stillToLandBytes: number };
  readonly freeBytes: number | null;
  readonly spaceState: SpaceState | 'UNKNOWN';
  /** Pending recalls wait for space. */
  readonly spaceHeld: boolean;
  readonly backoffVolumes: number;
  /** Pending recalls that can never fit in/. */
  readonly tooLargeFiles: number;
  readonly hintMtimeMs: number | null;
  readonly hintEntries: number;
  readonly busyWorkers: number;
  readonly maxWorkers: number;
  /** Now minus the first-seen mtime of the oldest recall request still in request/ (pending or in a session); null or absent when none. */
  readonly oldestRequestAgeMs?: number | null;
  /** Ages of the requests delivered so far (seconds). */
  readonly requestWait: HistogramSnapshot;
}

export function retrieverFigureValues(counters: RetrieverCounters, s: RetrieverFigureInputs): RetrieverFigureValues {
  return {
    retriever_staged_bytes: counters.stagedBytes,
    retriever_staged_files: counters.stagedFiles,
    retriever_stage_retries: counters.stageRetries,
    retriever_failed_files: counters.failedFiles,
    retriever_sessions_total: counters.sessions,
    retriever_fresh_mounts_total: counters.freshMounts,
    retriever_working_bytes: s.working.bytes,
    retriever_working_files: s.working.files,
    retriever_requests_bytes: s.pending.bytes + s.working.bytes,
    retriever_requests_files: s.pending.files + s.working.files,
    retriever_requests_volumes: s.pending.volumes,
    retriever_requests_unread_files: s.unreadFiles ?? 0,
    retriever_oldest_request_age_seconds: Math.max(0, Math.floor((s.oldestRequestAgeMs ?? 0) / 1000)),
    retriever_request_wait_seconds: s.requestWait,
    retriever_in_avail_bytes: s.freeBytes ?? 0,
    retriever_reserved_bytes: s.working.stillToLandBytes,
    retriever_backoffstate: spaceStateNumber(s.spaceState),
    retriever_space_held: s.spaceHeld ? 1 : 0,
    retriever_backoff_volumes: s.backoffVolumes,
    retriever_too_large_files: s.tooLargeFiles,
    retriever_hintfile_mtime: s.hintMtimeMs === null ? 0 : Math.floor(s.hintMtimeMs / 1000),
    retriever_hintfile_entries: s.hintEntries,
    retriever_busyworkers: s.busyWorkers,
    retriever_maxworkers: s.maxWorkers,
  };
}
