/**
 * One daemon start against a fake dsmc whose sessions hang (archiver and
 * retriever benches): time and CPU to the first session, then, once the
 * daemon has settled, its CPU over the measuring windows. CPU is "in all":
 * the daemon and its children, not dsmc (cpu-in-all.ts).
 */
import type { BenchOptions } from './bench-args.js';
import { cpuWindows, settle, startDaemon, waitFor } from './daemon-process.js';
import { freshJournal } from './journal-tail.js';
import { ENDIT, scaledTimeoutMs, type Implementation } from './implementation.js';
import { emptyDir, type BenchPool } from './workspace.js';

export interface HangPlan {
  readonly program: 'archiver' | 'retriever';
  readonly command: 'archive' | 'retrieve';
  /** Sessions that must have started before settling (the first is timed). */
  readonly sessions: number;
  readonly startTimeoutMs: number;
  /** Longest wait for the daemon to go quiet after the sessions started. */
  readonly settleMaxSec: number;
  /** One busy cycle of the daemon while sessions run, for the CPU-per-cycle figure. */
  readonly cycleSec: number;
}

export interface HangSample {
  firstSec: number;
  cpuToFirstSec: number;
  settleSec: number;
  /** One per CPU window. */
  cpuPct: number[];
  cpuPerCycleSec: number[];
  rssMiB: number;
}

export async function runHang(pool: BenchPool, plan: HangPlan, opts: BenchOptions, impl: Implementation = ENDIT): Promise<HangSample> {
  const { command } = plan;
  pool.writeScenario({ rules: [{ command, action: 'hang' }] });
  emptyDir(pool.sub('requestlists'));
  const journal = freshJournal(pool.journalPath);
  const run = startDaemon(plan.program, pool, impl);
  const timeoutMs = scaledTimeoutMs(impl, plan.startTimeoutMs);
  try {
    const first = await waitFor(`the first ${command} session`, () => (journal.poll(), journal.starts(command)[0]), timeoutMs, 10, run);
    const cpuToFirstSec = run.cpuSec();
    if (plan.sessions > 1) {
      await waitFor(`${plan.sessions} ${command} sessions`, () => (journal.poll(), journal.starts(command).length >= plan.sessions ? true : undefined), timeoutMs, 50, run);
    }
    const settleSec = await settle(run, plan.settleMaxSec);
    const windows = await cpuWindows(run, opts.windows, opts.windowSec);
    return {
      firstSec: (first.timeMs - run.spawnMs) / 1000,
      cpuToFirstSec,
      settleSec,
      cpuPct: windows.map((w) => (100 * w.cpuSec) / w.wallSec),
      cpuPerCycleSec: windows.map((w) => w.cpuSec / (w.wallSec / plan.cycleSec)),
      rssMiB: run.peakRssMiB(),
    };
  } finally {
    await run.stop();
  }
}
