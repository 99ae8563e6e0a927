import { commonFigures, type FigureSpec, type OwnFigureValues } from '../core/stats/figure-spec.js';

export const retrieverFigures = [
  { name: 'retriever_staged_bytes', help: 'Bytes recalled into in/', type: 'counter' },
  { name: 'retriever_staged_files', help: 'Files recalled into in/', type: 'counter' },
  { name: 'retriever_stage_retries', help: 'Requested files a session did not deliver, to be retried', type: 'counter' },
  { name: 'retriever_failed_files', help: 'Recalls failed with a .err file (not on tape)', type: 'counter' },
  { name: 'retriever_working_bytes', help: 'Bytes in running sessions', type: 'gauge' },
  { name: 'retriever_working_files', help: 'Files in running sessions', type: 'gauge' },
  { name: 'retriever_requests_bytes', help: 'Bytes of pending recall requests', type: 'gauge' },
  { name: 'retriever_requests_files', help: 'Pending recall requests', type: 'gauge' },
  { name: 'retriever_requests_volumes', help: 'Volumes with pending recall requests', type: 'gauge' },
  { name: 'retriever_in_avail_bytes', help: 'Free bytes on the filesystem of in/', type: 'gauge' },
  { name: 'retriever_reserved_bytes', help: 'Bytes still to land for running sessions', type: 'gauge' },
  { name: 'retriever_backoffstate', help: 'Space state: 0 OK, 1 BACKLOG, 2 FULL', type: 'gauge' },
  { name: 'retriever_space_held', help: '1 while pending recalls wait for free space (BACKLOG, FULL, or lists that do not fit the reservation), else 0', type: 'gauge' },
  { name: 'retriever_backoff_volumes', help: 'Volumes waiting after failed sessions', type: 'gauge' },
  { name: 'retriever_too_large_files', help: 'Pending recalls larger than in/ can ever hold above the kill line (they wait in request/, others go on)', type: 'gauge' },
  { name: 'retriever_hintfile_mtime', help: 'Modification time of the hint file in force', type: 'gauge' },
  { name: 'retriever_hintfile_entries', help: 'Entries in the hint file in force', type: 'gauge' },
  { name: 'retriever_busyworkers', help: 'Running retrieve sessions', type: 'gauge' },
  { name: 'retriever_maxworkers', help: 'Configured maximum of retrieve sessions', type: 'gauge' },
  ...commonFigures('retriever'),
] as const satisfies readonly FigureSpec[];

/** The figures the retriever computes in each cycle. */
export type RetrieverFigureValues = OwnFigureValues<typeof retrieverFigures, 'retriever'>;
