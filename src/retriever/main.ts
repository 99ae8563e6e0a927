import { runDaemon, type DaemonDefinition } from '../core/runtime/index.js';
import { retrieverFigures } from './figures.js';
import { createRetriever } from './cycle.js';

export const retrieverDaemon: DaemonDefinition = {
  name: 'retriever',
  logName: 'tsmretriever',
  program: 'endit-retriever',
  summary:
    'Recalls files that dCache requests in <dir>/request/ from tape with dsmc retrieve into <dir>/in/,\n' +
    'one session per tape volume, never filling the filesystem.',
  figures: retrieverFigures,
  create: (ctx) => createRetriever(ctx),
};

await runDaemon(retrieverDaemon, process.argv.slice(2));
