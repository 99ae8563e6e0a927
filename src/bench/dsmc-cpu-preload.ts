/**
 * Loaded into the fake dsmc by the bench's wrapper (`node --import`): as the
 * fake exits, appends its pid, start time and own CPU (getrusage: user +
 * system, microseconds) to the file named by ENDIT_BENCH_DSMC_CPU, in one
 * write. A session killed by a signal writes nothing.
 */
import fs from 'node:fs';
import { parseProcStat } from './cpu-in-all.js';

const recordsPath = process.env['ENDIT_BENCH_DSMC_CPU'];
if (recordsPath !== undefined && recordsPath !== '') {
  const startTicks = parseProcStat(fs.readFileSync('/proc/self/stat', 'utf8'))?.startTicks ?? -1;
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuSec = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    fs.appendFileSync(recordsPath, `${JSON.stringify({ pid: process.pid, startTicks, cpuSec })}\n`);
  });
}
