import { runDaemon, type DaemonDefinition } from '../core/runtime/index.js';
import { archiverFigures } from './figures.js';
import { createArchiver } from './cycle.js';

export const archiverDaemon: DaemonDefinition = {
  name: 'archiver',
  logName: 'tsmarchiver',
  program: 'endit-archiver',
  summary: 'Flushes files that dCache puts in <dir>/out/ to tape with dsmc archive -deletefiles,\nin more parallel sessions as the backlog grows.',
  figures: archiverFigures,
  create: async (ctx) => createArchiver(ctx),
};

await runDaemon(archiverDaemon, process.argv.slice(2));
