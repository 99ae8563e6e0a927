import { runDaemon, type DaemonDefinition } from '../core/runtime/index.js';
import { deleterFigures } from './figures.js';
import { createDeleter } from './cycle.js';
import { drawSkewMs } from './settings.js';

export const deleterDaemon: DaemonDefinition = {
  name: 'deleter',
  logName: 'tsmdeleter',
  program: 'endit-deleter',
  summary:
    'Queues the tape deletions dCache puts in <dir>/trash/ into <dir>/trash/queue/, and runs\n' +
    'dsmc delete archive on the queue on the deleter_queueprocinterval schedule\n' +
    '(SIGUSR1: process the queue now).',
  figures: deleterFigures,
  create: async (ctx) => {
    const deleter = createDeleter(ctx, { skewMs: drawSkewMs() });
    await deleter.ready;
    return deleter;
  },
};

// bin/endit-deleter keeps V8's young generation small before this loads: the
// deleter's batches of up to 100k ids would otherwise grow it to 32 MiB for good.
await runDaemon(deleterDaemon, process.argv.slice(2));
