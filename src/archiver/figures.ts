import { commonFigures, type FigureSpec, type OwnFigureValues } from '../core/stats/figure-spec.js';

export const archiverFigures = [
  { name: 'archiver_flushed_bytes', help: 'Bytes flushed to tape', type: 'counter' },
  { name: 'archiver_flushed_files', help: 'Files flushed to tape', type: 'counter' },
  { name: 'archiver_flush_retries', help: 'Files left in out/ by a failed session, to be retried', type: 'counter' },
  { name: 'archiver_usage_bytes', help: 'Bytes in out/', type: 'gauge' },
  { name: 'archiver_usage_files', help: 'Files in out/', type: 'gauge' },
  { name: 'archiver_working_bytes', help: 'Bytes in running sessions', type: 'gauge' },
  { name: 'archiver_working_files', help: 'Files in running sessions', type: 'gauge' },
  { name: 'archiver_pending_bytes', help: 'Bytes in out/ not in a running session', type: 'gauge' },
  { name: 'archiver_pending_files', help: 'Files in out/ not in a running session', type: 'gauge' },
  { name: 'archiver_held_files', help: 'Files in out/ that dsmc archived but nobody could remove; never archived again', type: 'gauge' },
  { name: 'archiver_busyworkers', help: 'Running archive sessions', type: 'gauge' },
  { name: 'archiver_maxworkers', help: 'Archive sessions wanted at the current usage level', type: 'gauge' },
  { name: 'archiver_backoff_failures', help: 'Consecutive failed archive sessions', type: 'gauge' },
  { name: 'archiver_backoff_seconds', help: 'Seconds left before a new session may start after failures', type: 'gauge' },
  ...commonFigures('archiver'),
] as const satisfies readonly FigureSpec[];

/** The figures the archiver computes in each cycle. */
export type ArchiverFigureValues = OwnFigureValues<typeof archiverFigures, 'archiver'>;
