/**
 * Issue 15 item 4 in the bench: SIGTERM and SIGUSR1 sent while a daemon
 * reads its big directory, timed from outside as the integration tests do
 * (test/integration/readers-responsive.test.ts, deleter-responsive.test.ts):
 *
 * - reading: the archiver and the retriever have out/ or request/ open (an
 *   fd on it in /proc/<pid>/fd: the listing is under way); the deleter has
 *   queued trash/ and removes its files (trash/ changed after the queue
 *   file appeared: the first trash files are gone);
 * - "SIGTERM while reading → exit": from the signal to the process's exit,
 *   with its exit status (0 expected) as a figure of its own;
 * - "SIGUSR1 while reading → acted on": from the signal to the log line
 *   the tests wait for (archiver: an archive session started for
 *   `(SIGUSR1 ...)`, with the files listed so far; retriever: a retrieve
 *   session started for `(SIGUSR1)`, for the requests listed so far;
 *   deleter: `Processing the deletion queue as instructed by SIGUSR1`).
 *   Neither the archiver nor the retriever waits for the listing under way:
 *   it goes on in the background, and the rest is acted on once it is
 *   complete.
 *
 * With `--against-perl`, SIGTERM is measured for the Perl daemons too: the
 * same observables mean the same there (tsmarchiver.pl reads out/ entry by
 * entry, tsmretriever.pl lists request/ in one readdir call, which a signal
 * waits for; tsmdeleter.pl writes its queue file, then unlinks the trash
 * files; each exits from its SIGTERM handler). SIGUSR1 is endit's only:
 * the Perl daemons log other lines and act on it at other points.
 *
 * "While reading" is caught by polling, which a small N can miss (the
 * reading is over in a millisecond): a figure without a sample gets no row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants as osConstants } from 'node:os';
import type { SignalSample } from './bench-row.js';
import { startDaemon, type DaemonProgram, type DaemonRun } from './daemon-process.js';
import { ENDIT, perlScript, scaledTimeoutMs, type Implementation, type ImplName } from './implementation.js';
import { note } from './progress.js';
import type { BenchPool } from './workspace.js';

/** The exit status as a shell reports it: the code, or 128 + the signal's number. Pure. */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0));
}

/** Whether process `pid` has directory `dir` open now. */
export function hasDirOpen(pid: number, dir: string): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === dir;
    } catch {
      return false; // closed meanwhile
    }
  });
}

/** How one daemon is watched while it reads. */
export interface ReadingWatch {
  readonly program: DaemonProgram;
  /** Made just before each start: whether it reads its big directory now (checked every millisecond or so). */
  readonly readingProbe: () => (run: DaemonRun) => boolean;
  /** Its SIGUSR1 taking effect, in its log (timed from the signal). */
  readonly usr1Line: RegExp;
  /** Puts the pool back in shape before each start (deleter: an empty trash/queue/, so that what is left in trash/ is queued anew). */
  readonly beforeEachRun?: () => void;
  /** Longest wait to catch it reading (endit's; the Perl daemons get scaledTimeoutMs). */
  readonly catchTimeoutMs: number;
  /** Longest wait for the exit or the log line (past the target: the figure shows it). */
  readonly actTimeoutMs: number;
}

/** The watch of a daemon that lists `dir` (archiver out/, retriever request/), with waits that grow with N. */
export function dirReadingWatch(program: DaemonProgram, dir: string, n: number, usr1: Pick<ReadingWatch, 'usr1Line'>): ReadingWatch {
  return {
    program,
    readingProbe: () => (run) => hasDirOpen(run.pid, dir),
    ...usr1,
    catchTimeoutMs: 2000 + n / 50,
    actTimeoutMs: 30_000 + n / 20,
  };
}

/** Polls closely until `condition` holds; false when the run exited or the time is up first. */
async function pollUntil(run: DaemonRun, condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (!run.alive() || Date.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}

function logPath(pool: BenchPool, program: DaemonProgram): string {
  return path.join(pool.side('endit').logdir, `tsm${program}.log`);
}

function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** Whether the log has a line matching `pattern` past `fromByte`. */
function logHasLine(file: string, fromByte: number, pattern: RegExp): boolean {
  const size = sizeOf(file);
  if (size <= fromByte) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - fromByte);
    const read = fs.readSync(fd, buffer, 0, buffer.length, fromByte);
    return pattern.test(buffer.toString('utf8', 0, read));
  } finally {
    fs.closeSync(fd);
  }
}

/** Starts the daemon and waits until it reads; null (and the daemon stopped) when it was not caught reading. */
async function startReading(pool: BenchPool, watch: ReadingWatch, what: string, impl: Implementation = ENDIT): Promise<{ run: DaemonRun; exited: Promise<number>; reading: () => boolean } | null> {
  const probe = watch.readingProbe();
  const run = startDaemon(watch.program, pool, impl);
  const exited = new Promise<number>((resolve) => run.child.once('exit', (code, signal) => resolve(exitStatusOf(code, signal))));
  const reading = (): boolean => probe(run);
  const catchMs = scaledTimeoutMs(impl, watch.catchTimeoutMs);
  if (await pollUntil(run, reading, catchMs)) return { run, exited, reading };
  note(`${run.label}: not caught reading for ${what} within ${catchMs / 1000} s (too small a directory?): no sample`);
  await run.stop();
  return null;
}

/** SIGTERM while it reads: seconds to its exit and its exit status. */
export async function termWhileReading(pool: BenchPool, watch: ReadingWatch, impl: Implementation = ENDIT): Promise<Pick<SignalSample, 'termSec' | 'exitStatus'>> {
  const started = await startReading(pool, watch, 'SIGTERM', impl);
  if (started === null) return { termSec: null, exitStatus: null };
  const { run, exited } = started;
  const signalMs = performance.now();
  run.child.kill('SIGTERM');
  // The timer is cancelled once it exits: a pending one would keep the bench alive.
  const timeout = new AbortController();
  const status = await Promise.race([exited, sleep(watch.actTimeoutMs, null, { signal: timeout.signal }).catch(() => null)]);
  timeout.abort();
  const termSec = (performance.now() - signalMs) / 1000;
  if (status !== null) {
    await run.stop(); // what it left behind
    return { termSec, exitStatus: status };
  }
  // Still running: the time waited is a lower bound; the status is the kill's.
  note(`${run.label}: still running ${watch.actTimeoutMs / 1000} s after SIGTERM while reading: killed`);
  await run.stop(0);
  return { termSec, exitStatus: await exited };
}

/** SIGUSR1 while it reads: seconds from the signal until its log says it acted on it. */
export async function usr1WhileReading(pool: BenchPool, watch: ReadingWatch): Promise<number | null> {
  const log = logPath(pool, watch.program);
  const fromByte = sizeOf(log);
  const started = await startReading(pool, watch, 'SIGUSR1');
  if (started === null) return null;
  const { run } = started;
  try {
    const fromMs = performance.now();
    run.child.kill('SIGUSR1');
    const seen = await pollUntil(run, () => logHasLine(log, fromByte, watch.usr1Line), watch.actTimeoutMs);
    // Not seen: the time waited is a lower bound, over the target.
    if (!seen) note(`endit-${watch.program}: SIGUSR1 while reading not acted on within ${watch.actTimeoutMs / 1000} s`);
    return (performance.now() - fromMs) / 1000;
  } finally {
    await run.stop();
  }
}

const fmtSec = (sec: number | null): string => (sec === null ? 'not measured' : `${sec.toFixed(2)} s`);

/**
 * One SIGTERM run of endit, with `perl` one of the Perl daemon (see above),
 * then one SIGUSR1 run of endit, each on what the one before left (a
 * SIGTERM run stops at the start of the reading); a note of what they
 * measured.
 */
export async function signalRuns(pool: BenchPool, n: number, watch: ReadingWatch, perl?: Implementation): Promise<Partial<Record<ImplName, SignalSample>>> {
  watch.beforeEachRun?.();
  const term = await termWhileReading(pool, watch);
  const samples: Partial<Record<ImplName, SignalSample>> = {};
  if (perl !== undefined) {
    watch.beforeEachRun?.();
    const perlTerm = await termWhileReading(pool, watch, perl);
    note(`${perlScript(watch.program)} N=${n} while reading: SIGTERM → exit ${fmtSec(perlTerm.termSec)} (status ${perlTerm.exitStatus ?? '-'})`);
    samples.perl = { ...perlTerm, usr1Sec: null };
  }
  watch.beforeEachRun?.();
  const usr1Sec = await usr1WhileReading(pool, watch);
  note(`endit-${watch.program} N=${n} while reading: SIGTERM → exit ${fmtSec(term.termSec)} (status ${term.exitStatus ?? '-'}), SIGUSR1 → acted on ${fmtSec(usr1Sec)}`);
  samples.endit = { ...term, usr1Sec };
  return samples;
}
