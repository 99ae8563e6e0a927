/**
 * `npm run bench`: generates pools, runs the real daemons against the fake
 * dsmc, measures them from outside, prints one table and writes the rows as
 * JSON. Everything it starts or creates is removed at the end and on Ctrl-C.
 */
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { BENCH_USAGE, BenchArgsError, parseBenchArgs, type BenchDaemon, type BenchOptions } from './bench-args.js';
import { buildRow, growthRows, type BenchRow, type Measured } from './bench-row.js';
import { formatBenchTable, formatN } from './format-table.js';
import { benchArchiver } from './archiver-bench.js';
import { benchRetriever } from './retriever-bench.js';
import { benchDeleter } from './deleter-bench.js';
import { benchFakeDsmc } from './fake-bench.js';
import { daemonEntry } from './daemon-process.js';
import { note } from './progress.js';
import { cleanupAll } from './workspace.js';
import { errorMessage } from '../core/errors.js';

type Suite = (n: number, opts: BenchOptions) => Promise<Measured[]>;

const SUITES: Record<BenchDaemon, Suite> = {
  archiver: benchArchiver,
  retriever: benchRetriever,
  deleter: benchDeleter,
  'fake-dsmc': benchFakeDsmc,
};

/** The machine, for BENCHMARKS.md. */
export function describeMachine(dir: string): string {
  let disk = '';
  try {
    disk = execFileSync('df', ['-hT', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)?.replace(/\s+/g, ' ') ?? '';
  } catch {
    disk = 'unknown';
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, disk: ${disk}, Node ${process.version}, ${os.type()} ${os.release()}`;
}

async function main(): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchArgsError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (opts.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  note(`machine: ${describeMachine(opts.tmpdir ?? os.tmpdir())}`);
  note(`sizes ${opts.sizes.map(formatN).join(', ')}; ${opts.repeats} repeat(s); sleeptime ${opts.sleepSec} s; ${opts.windows} CPU window(s) of ${opts.windowSec} s per start`);
  note(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const measured: Measured[] = [];
  const skipped: string[] = [];
  for (const n of opts.sizes) {
    for (const daemon of opts.daemons) {
      if (daemon !== 'fake-dsmc' && daemonEntry(daemon) === undefined) {
        if (!skipped.includes(daemon)) skipped.push(daemon);
        continue;
      }
      note(`${daemon} N=${formatN(n)}`);
      try {
        measured.push(...(await SUITES[daemon](n, opts)));
      } catch (error) {
        note(`${daemon} N=${formatN(n)} FAILED: ${errorMessage(error)}`);
        measured.push({ daemon, n, figure: `FAILED: ${errorMessage(error).split('\n')[0]?.slice(0, 120)}`, unit: 'error', samples: [Number.NaN] });
      }
    }
  }
  const rows: BenchRow[] = measured.filter((m) => m.unit !== 'error').map((m) => buildRow(m));
  const growth = growthRows(rows);
  const all = [...rows, ...growth];
  const failures = measured.filter((m) => m.unit === 'error');
  process.stdout.write(`${formatBenchTable(rows)}\n`);
  if (growth.length > 0) process.stdout.write(`\nGrowth: exponent k of cost ∝ N^k between consecutive sizes (medians)\n${formatBenchTable(growth)}\n`);
  for (const f of failures) process.stdout.write(`${f.daemon} N=${formatN(f.n)}: ${f.figure}\n`);
  for (const daemon of skipped) process.stdout.write(`${daemon}: not measured (dist/${daemon}/main.js is not built)\n`);
  note(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  fs.writeFileSync(opts.out, `${JSON.stringify(all, null, 2)}\n`);
  note(`rows written to ${opts.out}`);
  return failures.length > 0 ? 1 : 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: stopping the daemons and removing the temporary pools\n`);
    cleanupAll();
    process.exit(130);
  });
}

try {
  process.exitCode = await main();
} finally {
  cleanupAll();
}
