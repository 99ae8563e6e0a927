/**
 * One daemon start against a fake dsmc whose sessions hang (archiver and
 * retriever benches): time and CPU to the first session, then, once the
 * daemon has settled, its CPU over the measuring windows. CPU is "in all":
 * the daemon and its children, not dsmc (cpu-in-all.ts).
 */
import type { BenchOptions } from './bench-args.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuWindows, readStats, settle, startDaemon, waitFor, type DaemonRun } from './daemon-process.js';
import { freshJournal } from './journal-tail.js';
import { ENDIT, scaledTimeoutMs, type Implementation } from './implementation.js';
import { emptyDir, HSM, type BenchPool } from './workspace.js';

export interface HangPlan {
  readonly program: 'archiver' | 'retriever';
  readonly command: 'archive' | 'retrieve';
  /** Sessions that must have started before settling (the first is timed). */
  readonly sessions: number;
  readonly startTimeoutMs: number;
  /** Longest wait for the daemon to go quiet after the sessions started (its backlog read included). */
  readonly settleMaxSec: number;
  /**
   * A stats figure that counts work put off at start-up (the retriever's
   * requests not read yet): settling waits for it to reach 0 first, since a
   * short quiet probe between two cycles of that work would pass. Absent
   * from the Perl daemons' stats: not waited for.
   */
  readonly backlogFigure?: string;
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

/** Waits for `plan.backlogFigure` to read 0 (where the daemon writes it), then for a quiet probe; seconds in all. */
async function settleAfterBacklog(pool: BenchPool, plan: HangPlan, impl: Implementation, run: DaemonRun): Promise<number> {
  const t0 = performance.now();
  const elapsedSec = (): number => (performance.now() - t0) / 1000;
  const figure = plan.backlogFigure;
  // No stats file yet: not known (wait); a file without the figure (the Perl daemons'): nothing to wait for.
  const backlog = (): number | undefined => {
    if (figure === undefined) return 0;
    const stats = readStats(pool, impl, HSM, plan.program);
    return stats === undefined ? undefined : (stats[figure] ?? 0);
  };
  for (let left = backlog(); left !== 0 && elapsedSec() < plan.settleMaxSec; left = backlog()) {
    if (!run.alive()) throw new Error(`${run.label} exited while its backlog was read: ${run.stderr().trim().slice(0, 2000)}`);
    await sleep(200);
  }
  return elapsedSec() + (await settle(run, Math.max(1, plan.settleMaxSec - elapsedSec())));
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
    const settleSec = await settleAfterBacklog(pool, plan, impl, run);
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
