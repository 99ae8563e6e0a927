/**
 * The archiver with N files in out/: sessions that hang (start-up, CPU while
 * sessions run, memory) and sessions that succeed at once (everything
 * flushed and accounted, memory, log lines).
 */
import path from 'node:path';
import fs from 'node:fs';
import type { BenchOptions } from './bench-args.js';
import { signalRows, spreadOf, type Measured } from './bench-row.js';
import { longestLineBytes, readStats, startDaemon, waitFor } from './daemon-process.js';
import { measureFloor } from './floor.js';
import { writeOutFiles } from './generate.js';
import { runHang, type HangPlan, type HangSample } from './hang-run.js';
import { alternation, implementationsOf, perlOf, programLabel, scaledTimeoutMs, type Implementation, type ImplName } from './implementation.js';
import { freshJournal } from './journal-tail.js';
import { note, timed } from './progress.js';
import { dirReadingWatch, signalRuns } from './signal-run.js';
import { createPool, destroyPool, emptyDir, HSM, type BenchPool } from './workspace.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** Busy cycle of the archiver while sessions run (SPEC 5). */
const BUSY_CYCLE_SEC = 1;

/** Sizes such that usage exceeds threshold 2 (2 GiB) at any N: two sessions start at once. */
export function archiverFileSize(n: number): number {
  return Math.max(MIB, Math.ceil((4 * GIB) / n));
}

/** Two sessions hang; the busy cycle while they run is the figure per cycle. */
function archiverHangPlan(n: number): HangPlan {
  return { program: 'archiver', command: 'archive', sessions: 2, startTimeoutMs: 60_000 + n / 10, settleMaxSec: 30, cycleSec: BUSY_CYCLE_SEC };
}

function configure(pool: BenchPool, opts: BenchOptions): void {
  pool.writeConfig({
    sleeptime: opts.sleepSec,
    archiver_threshold1_usage: 1,
    archiver_threshold2_usage: 2,
    archiver_timeout: 86_400,
  });
}

interface SucceedSample {
  allFlushedSec: number;
  accountedSec: number;
  cpuSec: number;
  rssMiB: number;
  fakeSec: number;
}

/** out/ full again and an empty library, for the next "sessions succeed" run (the previous one archived every file). */
function refillOut(pool: BenchPool, n: number): void {
  const out = pool.sub('out');
  if (fs.readdirSync(out).length !== n) {
    emptyDir(out);
    timed(`archiver N=${n}: ${n} sparse files in out/ again`, () => writeOutFiles(out, n, archiverFileSize(n)));
  }
  emptyDir(pool.library);
  emptyDir(pool.sub('requestlists'));
}

async function runSucceed(pool: BenchPool, n: number, impl: Implementation): Promise<SucceedSample> {
  refillOut(pool, n);
  pool.writeScenario({ rules: [{ command: 'archive', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const run = startDaemon('archiver', pool, impl);
  try {
    // The fake archives some 20,000 files a second; allow it ten times that.
    const timeoutMs = scaledTimeoutMs(impl, 120_000 + n / 2);
    const done = await waitFor(
      `all ${n} files flushed`,
      () => {
        const stats = readStats(pool, impl, HSM, 'archiver');
        return stats !== undefined && stats['archiver_flushed_files'] === n && stats['archiver_usage_files'] === 0 ? Date.now() : undefined;
      },
      timeoutMs,
      100,
      run,
    );
    const cpuSec = run.cpuSec();
    journal.poll();
    const lastEnd = Math.max(...journal.ends('archive').map((e) => e.timeMs));
    const firstStart = Math.min(...journal.starts('archive').map((e) => e.timeMs));
    return { allFlushedSec: (done - run.spawnMs) / 1000, accountedSec: (done - lastEnd) / 1000, cpuSec, rssMiB: run.peakRssMiB(), fakeSec: (lastEnd - firstStart) / 1000 };
  } finally {
    await run.stop();
  }
}

function hangRows(impl: Implementation, n: number, hang: readonly HangSample[], floor: number): Measured[] {
  const m = { impl: impl.name, daemon: 'archiver', n };
  return [
    { ...m, figure: 'first session', unit: 's', samples: hang.map((s) => s.firstSec), floor },
    { ...m, figure: 'CPU to first session', unit: 's', samples: hang.map((s) => s.cpuToFirstSec), floor },
    { ...m, figure: 'CPU while sessions run', unit: '%', samples: hang.flatMap((s) => s.cpuPct) },
    { ...m, figure: 'CPU per busy cycle (1 s)', unit: 's', samples: hang.flatMap((s) => s.cpuPerCycleSec), floor },
    { ...m, figure: 'peak RSS (sessions hang)', unit: 'MiB', samples: hang.map((s) => s.rssMiB) },
  ];
}

function succeedRows(impl: Implementation, n: number, sample: SucceedSample, floor: number): Measured[] {
  const m = { impl: impl.name, daemon: 'archiver', n };
  const rows: Measured[] = [
    { ...m, figure: 'all flushed (fake archives every file)', unit: 's', samples: [sample.allFlushedSec], floor },
    { ...m, figure: 'session end → accounted', unit: 's', samples: [sample.accountedSec], floor },
    { ...m, figure: 'CPU until all flushed', unit: 's', samples: [sample.cpuSec], floor },
    { ...m, figure: 'peak RSS (sessions succeed)', unit: 'MiB', samples: [sample.rssMiB] },
  ];
  if (impl.name === 'endit') rows.push({ daemon: 'fake-dsmc', n, figure: 'archive of every file (fake)', unit: 's', samples: [sample.fakeSec], floor });
  return rows;
}

/** The hang runs, endit and Perl in turn; the floor before each endit run. */
async function hangRuns(pool: BenchPool, n: number, opts: BenchOptions): Promise<{ floor: number; hang: Record<ImplName, HangSample[]> }> {
  const floors: number[] = [];
  const hang: Record<ImplName, HangSample[]> = { endit: [], perl: [] };
  for (const { impl, repeat } of alternation(implementationsOf(opts.againstPerl), opts.repeats)) {
    if (impl.name === 'endit') floors.push(measureFloor(pool.sub('out')));
    const sample = await runHang(pool, archiverHangPlan(n), opts, impl);
    note(`${programLabel(impl, 'archiver')} N=${n} hang #${repeat + 1}: first session ${sample.firstSec.toFixed(2)} s (floor ${floors.at(-1)?.toFixed(2)} s), CPU to it ${sample.cpuToFirstSec.toFixed(2)} s, CPU ${sample.cpuPct.map((c) => c.toFixed(1)).join(', ')}% after settling ${sample.settleSec.toFixed(1)} s, peak RSS ${sample.rssMiB.toFixed(0)} MiB`);
    hang[impl.name].push(sample);
  }
  return { floor: spreadOf(floors).median, hang };
}

/** Issue 15 item 4: signals while the archiver lists out/ (signal-run.ts), with thresholds no N reaches, so that only SIGUSR1 starts a session. */
async function signalFigures(pool: BenchPool, n: number, opts: BenchOptions): Promise<Measured[]> {
  pool.writeConfig({ sleeptime: opts.sleepSec, archiver_threshold1_usage: 100_000_000, archiver_timeout: 86_400 });
  pool.writeScenario({ rules: [{ command: 'archive', action: 'hang' }] });
  emptyDir(pool.sub('requestlists'));
  const watch = dirReadingWatch('archiver', pool.sub('out'), n, { usr1Line: /Starting archive session .*\(SIGUSR1/ });
  try {
    return signalRows('archiver', n, await signalRuns(pool, n, watch, perlOf(opts)));
  } finally {
    configure(pool, opts);
  }
}

export async function benchArchiver(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`archiver-${n}`, opts.tmpdir);
  try {
    timed(`archiver N=${n}: ${n} sparse files in out/`, () => writeOutFiles(pool.sub('out'), n, archiverFileSize(n)));
    configure(pool, opts);
    const impls = implementationsOf(opts.againstPerl);
    const { floor, hang } = await hangRuns(pool, n, opts);
    const rows = impls.flatMap((impl) => hangRows(impl, n, hang[impl.name], floor));
    rows.push(...(await signalFigures(pool, n, opts)));
    for (const impl of n <= opts.archiveAllMax ? impls : []) {
      const sample = await runSucceed(pool, n, impl);
      note(`${programLabel(impl, 'archiver')} N=${n} succeed: all flushed ${sample.allFlushedSec.toFixed(1)} s (fake ${sample.fakeSec.toFixed(1)} s), accounted ${sample.accountedSec.toFixed(2)} s after the last session, CPU ${sample.cpuSec.toFixed(1)} s, peak RSS ${sample.rssMiB.toFixed(0)} MiB`);
      rows.push(...succeedRows(impl, n, sample, floor));
    }
    for (const impl of impls) {
      rows.push({ impl: impl.name, daemon: 'archiver', n, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.side(impl.name).logdir, 'tsmarchiver.log'))] });
    }
    return rows;
  } finally {
    destroyPool(pool);
  }
}
