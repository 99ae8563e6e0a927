import { runTapehints } from './run.js';

process.exitCode = await runTapehints(process.argv.slice(2), process.env);
