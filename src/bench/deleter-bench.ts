/**
 * The deleter with N ids in trash/, the files empty or holding their tape
 * URI: time until all are queued, until trash/ is empty, and from SIGUSR1
 * until the queue is processed by a fake dsmc answering at once; CPU in all
 * and peak memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchOptions, DeleteObjects } from './bench-args.js';
import { signalRows, spreadOf, type Measured } from './bench-row.js';
import type { CpuInAll } from './cpu-in-all.js';
import { longestLineBytes, startDaemon, waitFor, type DaemonRun } from './daemon-process.js';
import { measureFloor, timeFindDelete } from './floor.js';
import { seedLibrary, writeTrash, type TrashKind } from './generate.js';
import { alternation, implementationsOf, perlOf, programLabel, scaledTimeoutMs, type Implementation, type ImplName } from './implementation.js';
import { freshJournal, type JournalTail } from './journal-tail.js';
import { note, timed } from './progress.js';
import { createPool, destroyPool, emptyDir, flushToDisk, HSM, type BenchPool } from './workspace.js';
import { isPnfsid } from '../core/pool/pnfsid.js';
import { signalRuns, type ReadingWatch } from './signal-run.js';

const MIB = 1024 * 1024;

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
  cpu: CpuInAll;
  rssMiB: number;
}

/** From SIGUSR1 on: when trash/ has no id left, and when the delete session ended with trash/queue/ empty. */
async function waitEmptiedAndProcessed(pool: BenchPool, run: DaemonRun, journal: JournalTail, timeoutMs: number): Promise<{ emptiedMs: number; processedMs: number }> {
  let emptiedMs: number | undefined;
  let processedMs: number | undefined;
  await waitFor(
    'the queue processed and trash/ emptied',
    () => {
      if (emptiedMs === undefined && !hasHexFile(pool.sub('trash'))) emptiedMs = Date.now();
      if (processedMs === undefined) {
        journal.poll();
        if (journal.ends('delete').length > 0 && !hasHexFile(pool.sub('trash/queue'))) processedMs = Date.now();
      }
      return emptiedMs !== undefined && processedMs !== undefined ? true : undefined;
    },
    timeoutMs,
    50,
    run,
  );
  return { emptiedMs: emptiedMs as number, processedMs: processedMs as number };
}

/**
 * Queued is when every id is in a flushed queue file (both programs log
 * `Queued N files for deletion` then); SIGUSR1 follows at once, as an admin
 * would send it. Removing the trash files may run beside processing (endit),
 * so "emptied" and "processed" are timed independently.
 */
async function runOnce(pool: BenchPool, n: number, impl: Implementation): Promise<DeleterSample> {
  // An empty library: every id is "already gone" (ANS1345E per id, then ANS1302E), which the deleter counts as deleted;
  // with --delete-objects present the library holds them and the fake deletes each.
  pool.writeScenario({ rules: [{ command: 'delete', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const logFile = path.join(pool.side(impl.name).logdir, 'tsmdeleter.log');
  fs.rmSync(logFile, { force: true });
  const run = startDaemon('deleter', pool, impl);
  const timeoutMs = scaledTimeoutMs(impl, 120_000 + n / 2);
  try {
    const queuedMs = await waitFor(`all ${n} ids queued`, () => (queuedInLog(logFile) >= n ? Date.now() : undefined), timeoutMs, 50, run);
    const signalMs = Date.now();
    run.child.kill('SIGUSR1');
    const { emptiedMs, processedMs } = await waitEmptiedAndProcessed(pool, run, journal, timeoutMs);
    const cpu = run.cpu();
    const start = journal.starts('delete')[0];
    const end = journal.ends('delete')[0];
    return {
      queuedSec: (queuedMs - run.spawnMs) / 1000,
      emptiedSec: (emptiedMs - run.spawnMs) / 1000,
      processedSec: (processedMs - signalMs) / 1000,
      fakeSec: start !== undefined && end !== undefined ? (end.timeMs - start.timeMs) / 1000 : Number.NaN,
      cpuSec: cpu.inAllSec,
      cpu,
      rssMiB: run.peakRssMiB(),
    };
  } finally {
    await run.stop();
  }
}

/** N trash files, written to disk before a program meets them (flushToDisk says why). */
function writeTrashOnDisk(dir: string, n: number, kind: TrashKind): void {
  writeTrash(dir, n, kind, HSM);
  flushToDisk(dir);
}

const TRASH_LABEL: Record<TrashKind, string> = { empty: 'empty trash files', uri: 'tape-URI trash files' };

/** The pool of a run set: what the trash files hold, and whether the objects are on tape (`present`). */
export function deleterVariant(kind: TrashKind, objects: DeleteObjects): string {
  return objects === 'present' ? `${TRASH_LABEL[kind]}, objects on tape` : TRASH_LABEL[kind];
}

/** `all queued [empty trash files]`: a figure of one run set. */
export function deleterFigure(figure: string, variant: string): string {
  return `${figure} [${variant}]`;
}

function sampleRows(impl: Implementation, n: number, variant: string, samples: readonly DeleterSample[], floors: { find: number; unlink: number }): Measured[] {
  const m = { impl: impl.name, daemon: 'deleter', n };
  const figure = (name: string): string => deleterFigure(name, variant);
  const rows: Measured[] = [
    { ...m, figure: figure('all queued'), unit: 's', samples: samples.map((s) => s.queuedSec), floor: floors.find },
    // Removing every trash file is the filesystem's work: its floor is what `find -delete` takes on the same files.
    { ...m, figure: figure('trash/ emptied'), unit: 's', samples: samples.map((s) => s.emptiedSec), floor: floors.unlink },
    { ...m, figure: figure('queue processed'), unit: 's', samples: samples.map((s) => s.processedSec), floor: floors.find },
    { ...m, figure: figure('CPU in all'), unit: 's', samples: samples.map((s) => s.cpuSec), floor: floors.find },
    { ...m, figure: figure('peak RSS'), unit: 'MiB', samples: samples.map((s) => s.rssMiB) },
  ];
  const fake = samples.map((s) => s.fakeSec).filter((v) => Number.isFinite(v));
  if (impl.name === 'endit' && fake.length > 0) rows.push({ daemon: 'fake-dsmc', n, figure: figure('delete session (fake)'), unit: 's', samples: fake, floor: floors.find });
  return rows;
}

/** `find -delete` on N files like the trash files, in a scratch directory of the pool. */
function unlinkFloor(pool: BenchPool, n: number, kind: TrashKind): number {
  const scratch = path.join(pool.root, 'trash-floor');
  emptyDir(scratch);
  timed(`deleter N=${n}: ${n} ${TRASH_LABEL[kind]} for the unlink floor, on disk`, () => writeTrashOnDisk(scratch, n, kind));
  const seconds = timeFindDelete(scratch);
  note(`deleter N=${n}: unlink floor (find -delete) of ${TRASH_LABEL[kind]} ${seconds.toFixed(2)} s`);
  return seconds;
}

/**
 * A new trash/ (and trash/queue/) for every run: ext4 does not shrink a
 * directory, and one that held 100,000 names is slower to fill (eight times,
 * measured), to list and to empty than a new one, which would favour the
 * first run.
 */
function freshTrash(pool: BenchPool): void {
  emptyDir(pool.sub('trash'));
  fs.mkdirSync(pool.sub('trash/queue'));
}

/** With `--delete-objects present`: the fake library holds an object for every id (sparse), as if all were on tape. */
function seedDeletable(pool: BenchPool, n: number, objects: DeleteObjects): void {
  emptyDir(pool.library);
  if (objects === 'present') timed(`deleter N=${n}: ${n} objects in the fake library`, () => seedLibrary(pool.library, pool.dir, n, MIB, Math.max(1, Math.min(1000, Math.floor(n / 100)))));
}

/** Every run with one kind of trash/ file: endit and Perl in turn, each on N fresh trash files. */
async function benchTrashKind(pool: BenchPool, n: number, kind: TrashKind, opts: BenchOptions): Promise<Measured[]> {
  const variant = deleterVariant(kind, opts.deleteObjects);
  const findFloors: number[] = [];
  const samples: Record<ImplName, DeleterSample[]> = { endit: [], perl: [] };
  for (const { impl, repeat } of alternation(implementationsOf(opts.againstPerl), opts.repeats)) {
    freshTrash(pool);
    emptyDir(pool.sub('requestlists'));
    seedDeletable(pool, n, opts.deleteObjects);
    timed(`deleter N=${n}: ${n} ${TRASH_LABEL[kind]} in trash/, on disk`, () => writeTrashOnDisk(pool.sub('trash'), n, kind));
    if (impl.name === 'endit') findFloors.push(measureFloor(pool.sub('trash')));
    const s = await runOnce(pool, n, impl);
    note(`${programLabel(impl, 'deleter')} N=${n} ${variant} #${repeat + 1}: all queued ${s.queuedSec.toFixed(2)} s (floor ${findFloors.at(-1)?.toFixed(2)} s), trash/ emptied ${s.emptiedSec.toFixed(2)} s, SIGUSR1 → processed ${s.processedSec.toFixed(2)} s (fake ${s.fakeSec.toFixed(2)} s), CPU in all ${s.cpuSec.toFixed(2)} s (own ${s.cpu.ownSec.toFixed(2)}, children ${s.cpu.childrenSec.toFixed(2)}; dsmc's ${s.cpu.dsmcSec.toFixed(2)} s left out), peak RSS ${s.rssMiB.toFixed(0)} MiB`);
    samples[impl.name].push(s);
  }
  const floors = { find: spreadOf(findFloors).median, unlink: unlinkFloor(pool, n, kind) };
  return implementationsOf(opts.againstPerl).flatMap((impl) => sampleRows(impl, n, variant, samples[impl.name], floors));
}

/**
 * Whether the deleter removes trash files now: a queue file appeared since
 * the probe was made, and trash/ changed after it was first seen (a trash
 * file removed: the deleters write only in trash/queue/ then, while at
 * start-up tsmdeleter.pl checks trash/ is writable with a temporary file).
 * Cheap at a million files, unlike listing trash/.
 */
function removalProbe(pool: BenchPool): () => () => boolean {
  const trash = pool.sub('trash');
  const queue = pool.sub('trash/queue');
  const mtimeNs = (): bigint => fs.statSync(trash, { bigint: true }).mtimeNs;
  const queueFiles = (): string[] => fs.readdirSync(queue).filter((name) => /^\d+$/.test(name));
  return () => {
    const before = new Set(queueFiles());
    let queuedMtimeNs: bigint | null = null;
    return () => {
      if (queuedMtimeNs === null) {
        if (queueFiles().every((name) => before.has(name))) return false;
        queuedMtimeNs = mtimeNs();
      }
      return mtimeNs() !== queuedMtimeNs;
    };
  };
}

/**
 * Issue 15 item 4: signals while the deleter removes trash files
 * (signal-run.ts), on N new trash files of the first kind: SIGTERM first,
 * then each next run on what the one before left in trash/, with trash/queue/
 * emptied before each, so that every start queues what it finds. (The ids
 * removed meanwhile drop out of the queue: the fake library does not care.)
 */
async function signalFigures(pool: BenchPool, n: number, opts: BenchOptions): Promise<Measured[]> {
  const kind = opts.trashKinds[0];
  if (kind === undefined) return [];
  freshTrash(pool);
  emptyDir(pool.sub('requestlists'));
  seedDeletable(pool, n, opts.deleteObjects);
  timed(`deleter N=${n}: ${n} ${TRASH_LABEL[kind]} in trash/ for the signal runs, on disk`, () => writeTrashOnDisk(pool.sub('trash'), n, kind));
  pool.writeScenario({ rules: [{ command: 'delete', action: 'succeed' }] });
  const watch: ReadingWatch = {
    program: 'deleter',
    readingProbe: removalProbe(pool),
    beforeEachRun: () => emptyDir(pool.sub('trash/queue')),
    usr1Line: /Processing the deletion queue as instructed by SIGUSR1/,
    catchTimeoutMs: 3000 + n / 10,
    actTimeoutMs: 30_000 + n / 20,
  };
  return signalRows('deleter', n, await signalRuns(pool, n, watch, perlOf(opts)), ` [${deleterVariant(kind, opts.deleteObjects)}]`);
}

export async function benchDeleter(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`deleter-${n}`, opts.tmpdir);
  try {
    pool.writeConfig({ sleeptime: opts.sleepSec, deleter_queueprocinterval: 'monthly' });
    const rows: Measured[] = [];
    for (const kind of opts.trashKinds) rows.push(...(await benchTrashKind(pool, n, kind, opts)));
    rows.push(...(await signalFigures(pool, n, opts)));
    for (const impl of implementationsOf(opts.againstPerl)) {
      rows.push({ impl: impl.name, daemon: 'deleter', n, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.side(impl.name).logdir, 'tsmdeleter.log'))] });
    }
    return rows;
  } finally {
    destroyPool(pool);
  }
}
