import { commonFigures, type FigureSpec, type OwnFigureValues } from '../core/stats/figure-spec.js';

export const deleterFigures = [
  { name: 'deleter_queued_files', help: 'Ids moved from trash/ into the queue', type: 'counter' },
  { name: 'deleter_deleted_files', help: 'Ids deleted from tape (or confirmed already gone)', type: 'counter' },
  { name: 'deleter_failed_runs', help: 'Delete sessions that left ids undeleted', type: 'counter' },
  { name: 'deleter_sessions_total', help: 'dsmc delete sessions (counted as they end)', type: 'counter' },
  { name: 'deleter_waiting_files', help: 'Ids in the queue waiting to be deleted', type: 'gauge' },
  { name: 'deleter_held_files', help: 'Queued ids held back by volume-aware deletion', type: 'gauge' },
  { name: 'deleter_queue_files', help: 'Queue files in trash/queue/', type: 'gauge' },
  { name: 'deleter_lastrun_time', help: 'Unix time the last delete session ended (0 = none yet)', type: 'gauge' },
  { name: 'deleter_lastrun_success', help: '1 if the last delete session confirmed all its ids, else 0', type: 'gauge' },
  { name: 'deleter_nextrun_time', help: 'Unix time of the next scheduled queue processing', type: 'gauge' },
  { name: 'deleter_busyworkers', help: 'Running delete sessions (0 or 1)', type: 'gauge' },
  { name: 'deleter_backoff_failures', help: 'Consecutive failed delete sessions', type: 'gauge' },
  { name: 'deleter_backoff_seconds', help: 'Seconds left before undeleted ids are retried after failures', type: 'gauge' },
  ...commonFigures('deleter'),
] as const satisfies readonly FigureSpec[];

/** The figures the deleter computes in each cycle. */
export type DeleterFigureValues = OwnFigureValues<typeof deleterFigures, 'deleter'>;
