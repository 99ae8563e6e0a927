import { commonFigures, type FigureSpec, type OwnFigureValues } from '../core/stats/figure-spec.js';

/** The help texts of the names the Perl archiver also wrote are its own, word for word (see FigureSpec.help). */
export const archiverFigures = [
  { name: 'archiver_flushed_bytes', help: 'Bytes successfully flushed', type: 'counter' },
  { name: 'archiver_flushed_files', help: 'Files successfully flushed', type: 'counter' },
  { name: 'archiver_flush_retries', help: 'How many times a flush operation has been retried', type: 'counter' },
  { name: 'archiver_sessions_total', help: 'dsmc archive sessions (counted as they end)', type: 'counter' },
  { name: 'archiver_usage_bytes', help: 'Bytes used by all files that are candidates to be flushed', type: 'gauge' },
  { name: 'archiver_usage_files', help: 'Number of files that are candidates to be flushed', type: 'gauge' },
  { name: 'archiver_working_bytes', help: 'Bytes used by files currently being flushed by workers', type: 'gauge' },
  { name: 'archiver_working_files', help: 'Number of files currently being flushed by workers', type: 'gauge' },
  { name: 'archiver_pending_bytes', help: 'Bytes used by files pending worker assignment', type: 'gauge' },
  { name: 'archiver_pending_files', help: 'Number of files pending worker assignment', type: 'gauge' },
  { name: 'archiver_held_files', help: 'Files in out/ that dsmc archived but nobody could remove; never archived again', type: 'gauge' },
  { name: 'archiver_busyworkers', help: 'Number of busy workers', type: 'gauge' },
  { name: 'archiver_maxworkers', help: 'Maximum number of workers', type: 'gauge' },
  { name: 'archiver_backoff_failures', help: 'Consecutive failed archive sessions', type: 'gauge' },
  { name: 'archiver_backoff_seconds', help: 'Seconds left before a new session may start after failures', type: 'gauge' },
  ...commonFigures('archiver'),
] as const satisfies readonly FigureSpec[];

/** The figures the archiver computes in each cycle. */
export type ArchiverFigureValues = OwnFigureValues<typeof archiverFigures, 'archiver'>;
