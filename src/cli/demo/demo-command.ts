import fs from 'node:fs';
import os from 'node:os';
import { installSignalHandlers } from '../../core/runtime/index.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';
import { formatBytes } from '../format-units.js';
import { formatStatusTable } from '../format-status.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readStatusReport } from '../status-command.js';
import { killProcessesUnder, stopDemoChildren } from './demo-children.js';
import { planDemo, planTotalBytes, type DemoPlan } from './demo-plan.js';
import { collectSummary, createDemoRun, demoSucceeded, DemoStopped, playDemo, type DemoRun } from './demo-run.js';
import { createDemoTree, DEMO_MIN_FREE_BYTES, freeBytes, type DemoPaths } from './demo-setup.js';
import { formatDemoSummary } from './demo-summary.js';
import { errorMessage } from '../../core/errors.js';

export const DEMO_HELP = `Usage: endit demo [--keep] [--seconds N]

Runs endit for real against a fake tape library, in a temporary directory:
starts endit-archiver, endit-retriever and endit-deleter with a fake dsmc
(1.5 s per tape mount, 50 MiB/s), plays the dCache side (a few dozen flushes
of varied sizes, endit-tapehints, recalls spread over several volumes
including an id that is not on tape, some removals), prints what happens,
and ends with a summary and the endit status table. Takes about half a minute.
  --keep       keep the directory (pool, logs, stats, library) and print its path
  --seconds N  give up after N seconds (default 50)
Ctrl-C stops the daemons and removes the directory.
Exit codes: 0 everything happened as planned, 1 it did not (or not enough
free space), 2 usage error, 130 interrupted.
`;

const DEFAULT_SECONDS = 50;
const STOP_TIMEOUT_MS = 10_000;
const EXIT_INTERRUPTED = 130;

interface DemoOptions {
  readonly keep: boolean;
  readonly seconds: number;
}

function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const values = parseCommandArgs(argv, { keep: { type: 'boolean' }, seconds: { type: 'string' } });
  const seconds = values.seconds === undefined ? DEFAULT_SECONDS : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError(`--seconds: expected a positive integer, got '${values.seconds ?? ''}'`);
  return { keep: values.keep ?? false, seconds };
}

function enoughSpace(plan: DemoPlan, io: CliIo): boolean {
  const data = planTotalBytes(plan.waves.flat());
  // The pool's copies, the library's, and the recalled ones, above the retriever's 2 GiB back-off line.
  const needed = DEMO_MIN_FREE_BYTES + 3 * data;
  const free = freeBytes(os.tmpdir());
  if (free >= needed) return true;
  io.err(`endit demo: ${os.tmpdir()} has ${formatBytes(free)} free; the demo needs ${formatBytes(needed)} (the retriever starts nothing below 2 GiB free). Set TMPDIR to a roomier place.\n`);
  return false;
}

function printStatus(paths: DemoPaths, io: CliIo): void {
  try {
    io.out(`\n$ endit status --config ${paths.config}\n${formatStatusTable(readStatusReport(paths.config, { ...io, env: {} }))}`);
  } catch (error) {
    io.err(`endit demo: status failed: ${errorMessage(error)}\n`);
  }
}

function printEnding(run: DemoRun, ok: boolean): void {
  const summary = collectSummary(run);
  run.io.out(`\n${formatDemoSummary(summary)}`);
  printStatus(run.paths, run.io);
  if (!ok || !demoSucceeded(run, summary)) run.io.err('endit demo: not everything happened as planned (see above)\n');
}

async function cleanUp(run: DemoRun, keep: boolean): Promise<void> {
  const forced = await stopDemoChildren(run.children, STOP_TIMEOUT_MS);
  if (forced.length > 0) run.io.err(`endit demo: ${forced.join(', ')} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed\n`);
  killProcessesUnder(run.paths.root);
  if (keep) {
    run.io.out(`\nKept ${run.paths.root} (pool/, log/, stats/, library/); try: endit status --config ${run.paths.config}\n`);
  } else {
    fs.rmSync(run.paths.root, { recursive: true, force: true });
  }
}

/** Runs the timeline; 0 when everything happened as planned. */
async function playAndReport(run: DemoRun): Promise<number> {
  try {
    await playDemo(run);
  } catch (error) {
    if (run.abort.aborted) {
      run.io.err('\nendit demo: interrupted, stopping the daemons\n');
      return EXIT_INTERRUPTED;
    }
    if (!(error instanceof DemoStopped)) throw error;
    run.io.err(`\nendit demo: stopped: ${error.message}\n`);
    printEnding(run, false);
    return EXIT.problem;
  }
  run.say('done: every flush is on tape, every recall came back or failed with .err, every removal is gone from tape');
  printEnding(run, true);
  return demoSucceeded(run, collectSummary(run)) ? EXIT.ok : EXIT.problem;
}

/** `endit demo`: the three daemons against a fake library in a temporary directory. */
export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseDemoArgs(argv);
  const plan = planDemo(io.nowMs() >>> 0);
  if (!enoughSpace(plan, io)) return EXIT.problem;
  const paths = createDemoTree();
  const controller = new AbortController();
  const run = createDemoRun(paths, plan, io, options.seconds, controller.signal);
  const removeHandlers = installSignalHandlers({
    reload: () => undefined,
    skipDelays: () => undefined,
    stop: (signal, forced) => {
      if (!forced) return controller.abort(signal);
      for (const c of run.children) c.child.kill('SIGKILL');
      killProcessesUnder(paths.root);
      if (!options.keep) fs.rmSync(paths.root, { recursive: true, force: true });
      process.exit(EXIT_INTERRUPTED);
    },
  });
  io.out(`endit demo: a pool, a fake tape library and the three daemons in ${paths.root}\n`);
  try {
    return await playAndReport(run);
  } finally {
    await cleanUp(run, options.keep);
    removeHandlers();
  }
}
