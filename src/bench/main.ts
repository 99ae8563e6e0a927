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
import { comparisonOutPath, comparisonRows, formatComparisonTable } from './compare-table.js';
import { describePerl, perlProblems } from './perl-check.js';
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

function parseOptions(): BenchOptions | number {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchArgsError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** Every suite at every size; a suite that fails gives one error row and the run goes on. */
async function runSuites(opts: BenchOptions): Promise<{ measured: Measured[]; skipped: string[] }> {
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
  return { measured, skipped };
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** The tables on stdout (the floor table, growth, endit beside Perl), the rows as JSON. */
function report(opts: BenchOptions, measured: readonly Measured[], header: readonly string[]): void {
  const enditRows = measured.filter((m) => m.unit !== 'error' && (m.impl ?? 'endit') === 'endit');
  const rows: BenchRow[] = enditRows.map((m) => buildRow(m));
  const growth = growthRows(rows);
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);
  if (opts.markdown) out(`${header.map((line) => `${line}  `).join('\n')}\n`);
  out(formatBenchTable(rows, opts.markdown));
  if (growth.length > 0) out(`\nGrowth: exponent k of cost ∝ N^k between consecutive sizes (medians)\n\n${formatBenchTable(growth, opts.markdown)}`);
  fs.writeFileSync(opts.out, `${JSON.stringify([...rows, ...growth], null, 2)}\n`);
  note(`rows written to ${opts.out}`);
  if (opts.againstPerl === undefined) return;
  const comparison = comparisonRows(measured);
  out(`\nendit beside the Perl original (medians, range over the runs in brackets; ratio endit/Perl)\n\n${formatComparisonTable(comparison, opts.markdown)}`);
  fs.writeFileSync(comparisonOutPath(opts.out), `${JSON.stringify(comparison, null, 2)}\n`);
  note(`side-by-side rows written to ${comparisonOutPath(opts.out)}`);
}

/** What ran where: the command, the machine, the Perl checkout. */
function runHeader(opts: BenchOptions): string[] {
  const lines = [`command: npm run bench -- ${process.argv.slice(2).join(' ')}`, `machine: ${describeMachine(opts.tmpdir ?? os.tmpdir())}`];
  if (opts.againstPerl !== undefined) lines.push(`Perl: ${describePerl(opts.againstPerl)}`);
  lines.push(`sizes ${opts.sizes.map(formatN).join(', ')}; ${opts.repeats} repeat(s); sleeptime ${opts.sleepSec} s; ${opts.windows} CPU window(s) of ${opts.windowSec} s per start`);
  return lines;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  if (typeof opts === 'number') return opts;
  if (opts.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const problems = opts.againstPerl === undefined ? [] : perlProblems(opts.againstPerl);
  for (const problem of problems) process.stderr.write(`bench: --against-perl: ${problem}\n`);
  if (problems.length > 0) return 2;
  const header = runHeader(opts);
  for (const line of header) note(line);
  const loadAtStart = loadAverage();
  note(`load average at start: ${loadAtStart}`);
  const { measured, skipped } = await runSuites(opts);
  const loadAtEnd = loadAverage();
  note(`load average at end: ${loadAtEnd}`);
  report(opts, measured, [...header, `load average (1, 5, 15 min): ${loadAtStart} at the start, ${loadAtEnd} at the end`]);
  const failures = measured.filter((m) => m.unit === 'error');
  for (const f of failures) process.stdout.write(`${f.daemon} N=${formatN(f.n)}: ${f.figure}\n`);
  for (const daemon of skipped) process.stdout.write(`${daemon}: not measured (dist/${daemon}/main.js is not built)\n`);
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
