/**
 * `npm run bench:tape`: seeded recall traces replayed against the real
 * endit-retriever on the fake dsmc's drives, next to the simulator's
 * baselines (issue 11 §4). Each seed's table is printed as it finishes;
 * progress goes to standard error. Everything it starts or creates is
 * removed at the end and on Ctrl-C.
 */
import os from 'node:os';
import { errorMessage } from '../../core/errors.js';
import { LTO9_LIBRARY } from '../../tape-model/drive-model.js';
import { defaultRetrieverSettings } from '../../tape-model/policies.js';
import { DEFAULT_TRACE_SPEC } from '../../tape-model/trace.js';
import { daemonEntry } from '../daemon-process.js';
import { note } from '../progress.js';
import { cleanupAll } from '../workspace.js';
import { BYTE_SCALE, parseTapeBenchArgs, TAPE_BENCH_USAGE, TapeArgsError, type TapeBenchOptions } from './tape-args.js';
import { benchTapeSeed, type TapeBenchSetup, type TapeSeedResult } from './tape-bench.js';
import { planScaledConfig } from './tape-config.js';
import { formatSeedSection, formatTapeHeader, formatTapeSummary } from './tape-report.js';

function setupOf(options: TapeBenchOptions): TapeBenchSetup {
  return {
    traceSpec: { ...DEFAULT_TRACE_SPEC, recalls: options.recalls, volumes: options.volumes },
    library: { ...LTO9_LIBRARY, drives: options.drives },
    settings: defaultRetrieverSettings(options.drives),
    timeScale: options.timeScale,
    byteScale: BYTE_SCALE,
    tmpdir: options.tmpdir,
    progress: note,
  };
}

async function runSeeds(options: TapeBenchOptions, setup: TapeBenchSetup): Promise<TapeSeedResult[]> {
  const results: TapeSeedResult[] = [];
  for (const seed of options.seeds) {
    note(`seed ${seed}: load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const result = await benchTapeSeed(setup, seed);
    note(`seed ${seed}: done in ${result.real.wallSec.toFixed(0)} s`);
    if (!options.summaryOnly) process.stdout.write(`\n${formatSeedSection(result, options.markdown)}\n`);
    results.push(result);
  }
  return results;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: TapeBenchOptions | 'help';
  try {
    options = parseTapeBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof TapeArgsError)) throw error;
    process.stderr.write(`bench:tape: ${error.message}\n${TAPE_BENCH_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(TAPE_BENCH_USAGE);
    return 0;
  }
  if (daemonEntry('retriever') === undefined) {
    process.stderr.write('bench:tape: dist/retriever/main.js is not built (npm run build)\n');
    return 1;
  }
  const setup = setupOf(options);
  note(`${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const { deviations } = planScaledConfig(setup.settings, setup.timeScale, setup.byteScale);
  process.stdout.write(`${formatTapeHeader({ drives: options.drives, recalls: options.recalls, volumes: options.volumes, timeScale: setup.timeScale, byteScale: setup.byteScale, deviations })}\n`);
  try {
    const results = await runSeeds(options, setup);
    if (results.length > 1 || options.summaryOnly) process.stdout.write(`\n${formatTapeSummary(results, options.markdown)}\n`);
    note(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    return results.some((r) => r.real.timedOut) ? 1 : 0;
  } catch (error) {
    process.stderr.write(`bench:tape: ${errorMessage(error)}\n`);
    return 1;
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench:tape: ${signal}: stopping the retriever and removing the temporary pools\n`);
    cleanupAll();
    process.exit(130);
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  cleanupAll();
}
