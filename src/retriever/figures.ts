import { commonFigures, type FigureSpec, type OwnFigureValues } from '../core/stats/figure-spec.js';

/** Upper bounds (seconds) of retriever_request_wait_seconds: 1 min to 60 h, from quick recalls to ones that waited out several fill-wait maxima. */
export const REQUEST_WAIT_BUCKETS_SEC = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 129_600, 172_800, 216_000] as const;

/** The help texts of the names the Perl retriever also wrote are its own, word for word (see FigureSpec.help). */
export const retrieverFigures = [
  { name: 'retriever_staged_bytes', help: 'Bytes successfully staged', type: 'counter' },
  { name: 'retriever_staged_files', help: 'Files successfully staged', type: 'counter' },
  { name: 'retriever_stage_retries', help: 'How many times a stage operation has been retried', type: 'counter' },
  { name: 'retriever_failed_files', help: 'Recalls failed with a .err file (not on tape)', type: 'counter' },
  { name: 'retriever_sessions_total', help: 'dsmc retrieve sessions (counted as they end)', type: 'counter' },
  { name: 'retriever_fresh_mounts_total', help: 'Retrieve sessions that ran dsmc on a tape not estimated still mounted: estimated mounts (counted as they end)', type: 'counter' },
  { name: 'retriever_working_bytes', help: 'Total size of files currently being staged by workers', type: 'gauge' },
  { name: 'retriever_working_files', help: 'Number of files currently being staged by workers', type: 'gauge' },
  { name: 'retriever_requests_bytes', help: 'Total size of files in stage request queue', type: 'gauge' },
  { name: 'retriever_requests_files', help: 'Number of files in stage request queue', type: 'gauge' },
  { name: 'retriever_requests_volumes', help: 'Volumes with pending recall requests', type: 'gauge' },
  {
    name: 'retriever_requests_unread_files',
    help: 'Recall requests in request/ not read yet (a backlog found at start-up is read a slice a cycle; until read, retriever_requests_bytes counts them at their hint file size, or 0)',
    type: 'gauge',
  },
  { name: 'retriever_oldest_request_age_seconds', help: 'Age of the oldest pending recall request (0 when none)', type: 'gauge' },
  {
    name: 'retriever_request_wait_seconds',
    help: 'Age of recall requests when delivered: their file complete in in/ and the request removed',
    type: 'histogram',
    buckets: REQUEST_WAIT_BUCKETS_SEC,
  },
  { name: 'retriever_in_avail_bytes', help: 'Staging in/ directory free space', type: 'gauge' },
  { name: 'retriever_reserved_bytes', help: 'Bytes still to land for running sessions', type: 'gauge' },
  { name: 'retriever_backoffstate', help: '0 - No backoff, 1 - Not starting new workers, 2 - Emergency break with all workers killed', type: 'gauge' },
  { name: 'retriever_space_held', help: '1 while pending recalls wait for free space (BACKLOG, FULL, or lists that do not fit the reservation), else 0', type: 'gauge' },
  { name: 'retriever_backoff_volumes', help: 'Volumes waiting after failed sessions', type: 'gauge' },
  { name: 'retriever_too_large_files', help: 'Pending recalls larger than in/ can ever hold above the kill line (they wait in request/, others go on)', type: 'gauge' },
  { name: 'retriever_hintfile_mtime', help: 'Last modification timestamp of hint file', type: 'gauge' },
  { name: 'retriever_hintfile_entries', help: 'Number of hintfile entries', type: 'gauge' },
  { name: 'retriever_busyworkers', help: 'Number of busy workers', type: 'gauge' },
  { name: 'retriever_maxworkers', help: 'Maximum number of workers', type: 'gauge' },
  ...commonFigures('retriever'),
] as const satisfies readonly FigureSpec[];

/** The figures the retriever computes in each cycle. */
export type RetrieverFigureValues = OwnFigureValues<typeof retrieverFigures, 'retriever'>;
