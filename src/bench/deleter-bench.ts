/**
 * The deleter with N ids in trash/: time until all are queued, then (on
 * SIGUSR1) until the queue is processed by a fake dsmc answering at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchOptions } from './bench-args.js';
import type { Measured } from './bench-row.js';
import { longestLineBytes, startDaemon, waitFor } from './daemon-process.js';
import { measureFloor, timeFindDelete } from './floor.js';
import { writeTrash } from './generate.js';
import { freshJournal } from './journal-tail.js';
import { note, timed } from './progress.js';
import { createPool, destroyPool, type BenchPool } from './workspace.js';
import { isPnfsid } from '../core/pool/pnfsid.js';

/** Whether `dir` still holds a file with a hexadecimal name (stops at the first one). */
export function hasHexFile(dir: string): boolean {
  const handle = fs.opendirSync(dir, { bufferSize: 128 });
  try {
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      if (entry.isFile() && isPnfsid(entry.name)) return true;
    }
    return false;
  } finally {
    handle.closeSync();
  }
}

/** Ids the deleter says it queued (its "Queued N files for deletion" lines). */
export function queuedInLog(logFile: string): number {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return 0;
  }
  let total = 0;
  for (const match of text.matchAll(/Queued (\d+) files for deletion/g)) total += Number(match[1]);
  return total;
}

interface DeleterSample {
  queuedSec: number;
  emptiedSec: number;
  processedSec: number;
  fakeSec: number;
  cpuSec: number;
  rssMiB: number;
}

/**
 * Queued is when every id is in a flushed queue file (the deleter logs it);
 * SIGUSR1 follows at once, as an admin would send it. Removing the trash
 * files runs beside processing, so "emptied" and "processed" are timed
 * independently.
 */
async function runOnce(pool: BenchPool, n: number): Promise<DeleterSample> {
  // An empty library: every id is "already gone" (ANS1345E per id, then ANS1302E), which the deleter counts as deleted.
  pool.writeScenario({ rules: [{ command: 'delete', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const logFile = path.join(pool.logdir, 'tsmdeleter.log');
  fs.rmSync(logFile, { force: true });
  const trash = pool.sub('trash');
  const queue = pool.sub('trash/queue');
  const run = startDaemon('deleter', pool);
  try {
    const queuedMs = await waitFor(`all ${n} ids queued`, () => (queuedInLog(logFile) >= n ? Date.now() : undefined), 120_000 + n / 5, 50, run);
    const signalMs = Date.now();
    run.child.kill('SIGUSR1');
    let emptiedMs: number | undefined;
    let processedMs: number | undefined;
    await waitFor(
      'the queue processed and trash/ emptied',
      () => {
        if (emptiedMs === undefined && !hasHexFile(trash)) emptiedMs = Date.now();
        if (processedMs === undefined) {
          journal.poll();
          if (journal.ends('delete').length > 0 && !hasHexFile(queue)) processedMs = Date.now();
        }
        return emptiedMs !== undefined && processedMs !== undefined ? true : undefined;
      },
      120_000 + n / 5,
      50,
      run,
    );
    const start = journal.starts('delete')[0];
    const end = journal.ends('delete')[0];
    return {
      queuedSec: (queuedMs - run.spawnMs) / 1000,
      emptiedSec: ((emptiedMs as number) - run.spawnMs) / 1000,
      processedSec: ((processedMs as number) - signalMs) / 1000,
      fakeSec: start !== undefined && end !== undefined ? (end.timeMs - start.timeMs) / 1000 : Number.NaN,
      cpuSec: run.cpuSec(),
      rssMiB: run.peakRssMiB(),
    };
  } finally {
    await run.stop();
  }
}

export async function benchDeleter(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`deleter-${n}`, opts.tmpdir);
  try {
    pool.writeConfig({ sleeptime: opts.sleepSec, deleter_queueprocinterval: 'monthly' });
    const trash = pool.sub('trash');
    const floors: number[] = [];
    const samples: DeleterSample[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      for (const name of fs.readdirSync(pool.sub('trash/queue'))) fs.rmSync(path.join(pool.sub('trash/queue'), name), { force: true });
      timed(`deleter N=${n}: ${n} ids in trash/`, () => writeTrash(trash, n));
      floors.push(measureFloor(trash));
      const s = await runOnce(pool, n);
      note(`deleter N=${n} #${r + 1}: all queued ${s.queuedSec.toFixed(2)} s (floor ${floors.at(-1)?.toFixed(2)} s), trash/ emptied ${s.emptiedSec.toFixed(2)} s, processed ${s.processedSec.toFixed(2)} s (fake ${s.fakeSec.toFixed(2)} s), CPU ${s.cpuSec.toFixed(1)} s, peak RSS ${s.rssMiB.toFixed(0)} MiB`);
      samples.push(s);
    }
    const floor = floors.sort((a, b) => a - b)[floors.length >> 1] as number;
    const fake = samples.map((s) => s.fakeSec).filter((v) => Number.isFinite(v));
    const rows: Measured[] = [
      { daemon: 'deleter', n, figure: 'all queued', unit: 's', samples: samples.map((s) => s.queuedSec), floor },
      { daemon: 'deleter', n, figure: 'queue processed', unit: 's', samples: samples.map((s) => s.processedSec), floor },
      { daemon: 'deleter', n, figure: 'CPU for both', unit: 's', samples: samples.map((s) => s.cpuSec), floor },
      { daemon: 'deleter', n, figure: 'peak RSS', unit: 'MiB', samples: samples.map((s) => s.rssMiB) },
      { daemon: 'deleter', n, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.logdir, 'tsmdeleter.log'))] },
    ];
    if (fake.length > 0) rows.push({ daemon: 'fake-dsmc', n, figure: 'delete session (fake, objects already gone)', unit: 's', samples: fake, floor });
    // Removing every trash file is the filesystem's work: set it against what `find -delete` takes on the same files.
    const scratch = path.join(pool.root, 'trash-floor');
    fs.mkdirSync(scratch);
    timed(`deleter N=${n}: ${n} files for the unlink floor`, () => writeTrash(scratch, n));
    const unlinkFloor = timeFindDelete(scratch);
    note(`deleter N=${n}: unlink floor (find -delete) ${unlinkFloor.toFixed(2)} s`);
    rows.push({ daemon: 'deleter', n, figure: 'trash/ emptied (vs unlink floor)', unit: 's', samples: samples.map((s) => s.emptiedSec), floor: unlinkFloor });
    return rows;
  } finally {
    destroyPool(pool);
  }
}
