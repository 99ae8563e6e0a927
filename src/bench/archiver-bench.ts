/**
 * The archiver with N files in out/: sessions that hang (start-up, CPU while
 * sessions run, memory) and sessions that succeed at once (everything
 * flushed and accounted, memory, log lines).
 */
import path from 'node:path';
import fs from 'node:fs';
import type { BenchOptions } from './bench-args.js';
import type { Measured } from './bench-row.js';
import { longestLineBytes, readStats, startDaemon, waitFor } from './daemon-process.js';
import { measureFloor } from './floor.js';
import { writeOutFiles } from './generate.js';
import { runHang, type HangPlan, type HangSample } from './hang-run.js';
import { freshJournal, JournalTail } from './journal-tail.js';
import { note, timed } from './progress.js';
import { createPool, destroyPool, HSM, type BenchPool } from './workspace.js';

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

async function runSucceed(pool: BenchPool, n: number): Promise<SucceedSample> {
  pool.writeScenario({ rules: [{ command: 'archive', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const run = startDaemon('archiver', pool);
  try {
    // The fake archives some 20,000 files a second; allow it ten times that.
    const timeoutMs = 120_000 + n / 2;
    const done = await waitFor(
      `all ${n} files flushed`,
      () => {
        const stats = readStats(pool, HSM, 'archiver');
        return stats !== undefined && stats['archiver_flushed_files'] === n && stats['archiver_usage_files'] === 0 ? Date.now() : undefined;
      },
      timeoutMs,
      100,
      run,
    );
    journal.poll();
    const ends = journal.ends('archive');
    const starts = journal.starts('archive');
    const lastEnd = Math.max(...ends.map((e) => e.timeMs));
    const firstStart = Math.min(...starts.map((e) => e.timeMs));
    return {
      allFlushedSec: (done - run.spawnMs) / 1000,
      accountedSec: (done - lastEnd) / 1000,
      cpuSec: run.cpuSec(),
      rssMiB: run.peakRssMiB(),
      fakeSec: (lastEnd - firstStart) / 1000,
    };
  } finally {
    await run.stop();
  }
}

export async function benchArchiver(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`archiver-${n}`, opts.tmpdir);
  try {
    const out = pool.sub('out');
    timed(`archiver N=${n}: ${n} sparse files in out/`, () => writeOutFiles(out, n, archiverFileSize(n)));
    configure(pool, opts);
    const floors: number[] = [];
    const hang: HangSample[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      floors.push(measureFloor(out));
      const sample = await runHang(pool, archiverHangPlan(n), opts);
      note(`archiver N=${n} hang #${r + 1}: first session ${sample.firstSec.toFixed(2)} s (floor ${floors.at(-1)?.toFixed(2)} s), CPU ${sample.cpuPct.map((c) => c.toFixed(1)).join(', ')}% after settling ${sample.settleSec.toFixed(1)} s, peak RSS ${sample.rssMiB.toFixed(0)} MiB`);
      hang.push(sample);
    }
    const floor = floors.sort((a, b) => a - b)[floors.length >> 1] as number;
    const rows: Measured[] = [
      { daemon: 'archiver', n, figure: 'first session', unit: 's', samples: hang.map((s) => s.firstSec), floor },
      { daemon: 'archiver', n, figure: 'CPU to first session', unit: 's', samples: hang.map((s) => s.cpuToFirstSec), floor },
      { daemon: 'archiver', n, figure: 'CPU while sessions run', unit: '%', samples: hang.flatMap((s) => s.cpuPct) },
      { daemon: 'archiver', n, figure: 'CPU per busy cycle (1 s)', unit: 's', samples: hang.flatMap((s) => s.cpuPerCycleSec), floor },
      { daemon: 'archiver', n, figure: 'peak RSS (sessions hang)', unit: 'MiB', samples: hang.map((s) => s.rssMiB) },
    ];
    if (n <= opts.archiveAllMax) {
      const sample = await runSucceed(pool, n);
      note(`archiver N=${n} succeed: all flushed ${sample.allFlushedSec.toFixed(1)} s (fake ${sample.fakeSec.toFixed(1)} s), accounted ${sample.accountedSec.toFixed(2)} s after the last session, CPU ${sample.cpuSec.toFixed(1)} s, peak RSS ${sample.rssMiB.toFixed(0)} MiB`);
      rows.push(
        { daemon: 'archiver', n, figure: 'all flushed (fake archives every file)', unit: 's', samples: [sample.allFlushedSec], floor },
        { daemon: 'archiver', n, figure: 'session end → accounted', unit: 's', samples: [sample.accountedSec], floor },
        { daemon: 'archiver', n, figure: 'CPU until all flushed', unit: 's', samples: [sample.cpuSec], floor },
        { daemon: 'archiver', n, figure: 'peak RSS (sessions succeed)', unit: 'MiB', samples: [sample.rssMiB] },
        { daemon: 'fake-dsmc', n, figure: 'archive of every file (fake)', unit: 's', samples: [sample.fakeSec], floor },
      );
    }
    rows.push({ daemon: 'archiver', n, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.logdir, 'tsmarchiver.log'))] });
    return rows;
  } finally {
    destroyPool(pool);
  }
}
