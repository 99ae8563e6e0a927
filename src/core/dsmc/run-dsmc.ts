import { execa } from 'execa';
import type { DsmcMessage, LineClass } from './classify-line.js';
import { diagnoseExecutable } from './executable-check.js';
import { MessageTally } from './message-tally.js';
import { OutputReader } from './output-reader.js';
import { killGroup, trackGroup } from './process-group.js';
import { StallWatchdog, type StallWatch } from './stall-watchdog.js';

export interface DsmcRunRequest {
  readonly executable: string;
  readonly args: readonly string[];
  /** RLIMIT_CPU for the dsmc process, seconds (dsmc can spin forever). */
  readonly cpuLimitSec: number;
  /** Aborting kills dsmc and its process group with SIGKILL (shutdown, emergency brake). */
  readonly signal?: AbortSignal;
  readonly onSpawn?: (pid: number) => void;
  /** Every line, as it comes; a line longer than MAX_LINE_CHARS comes cut to it. */
  readonly onLine?: (line: string, cls: LineClass) => void;
  /**
   * Which messages to keep in the outcome (default: all, within the limits of
   * MessageTally). A caller that acts on messages in `onLine` as they come
   * keeps none.
   */
  readonly keepMessage?: (message: DsmcMessage) => boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** Kill dsmc (end `stalled`) when it shows no sign of life for a while; absent: never. */
  readonly stall?: StallWatch;
}

export type DsmcEnd =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'prompt' }
  | { readonly kind: 'aborted' }
  /** The stall watchdog killed it after `idleSec` without output or progress. */
  | { readonly kind: 'stalled'; readonly idleSec: number }
  | { readonly kind: 'signaled'; readonly signal: string }
  | { readonly kind: 'spawn-failed'; readonly error: string };

export interface DsmcOutcome {
  readonly end: DsmcEnd;
  /** The kept messages: those keepMessage accepts, at most MAX_KEPT_PER_CODE per code, in order. */
  readonly messages: readonly DsmcMessage[];
  readonly pid: number | undefined;
  // The counts below are set by runDsmc; an outcome a caller makes up for a
  // session that never ran may leave them out.
  /** How many messages of each code dsmc printed, kept or not. */
  readonly messageCounts?: ReadonlyMap<string, number>;
  /** Messages keepMessage accepted that were not kept, for the limits. */
  readonly droppedMessages?: number;
  /** Lines longer than MAX_LINE_CHARS, cut to it. */
  readonly truncatedLines?: number;
  /** Characters cut off those lines. */
  readonly droppedLineChars?: number;
}

/**
 * After dsmc exits, how long its output is still read: a child it left
 * behind may hold the pipes open for ever. Then the group is killed.
 */
const DRAIN_AFTER_EXIT_MS = 3000;

/**
 * The shell only sets the CPU limit and then replaces itself with dsmc, so the
 * pid we hold (and SIGKILL) is dsmc's. Arguments are positional parameters,
 * never interpolated into the script.
 */
const CPU_LIMIT_SCRIPT = 'ulimit -t "$1" || exit 125; shift; exec "$@"';

export function wrapperArgs(executable: string, args: readonly string[], cpuLimitSec: number): string[] {
  return ['-c', CPU_LIMIT_SCRIPT, 'endit-dsmc', String(cpuLimitSec), executable, ...args];
}

export function describeEnd(end: DsmcEnd): string {
  switch (end.kind) {
    case 'exited':
      return `exited with code ${end.exitCode}`;
    case 'prompt':
      return 'waited for user input and was killed';
    case 'aborted':
      return 'was killed (stopped)';
    case 'stalled':
      return `printed nothing and made no progress for ${end.idleSec} s and was killed (dsmc_stalltimeout)`;
    case 'signaled':
      return `died with signal ${end.signal}`;
    case 'spawn-failed':
      return `could not be started: ${end.error}`;
  }
}

/** dsmc's exit code; null when it did not exit by itself (a signal, killed by us, never started). */
export function exitCodeOf(end: DsmcEnd): number | null {
  return end.kind === 'exited' ? end.exitCode : null;
}

/** dsmc's pid; null when it never ran (only the wrapper shell did, which could not exec it). */
export function dsmcPidOf(outcome: DsmcOutcome): number | null {
  return outcome.end.kind === 'spawn-failed' ? null : (outcome.pid ?? null);
}

/** dsmc in a process group of its own (detached: its pid is the group id), no usable stdin. */
// The return type is left to execa: it depends on the options.
function startDsmc(request: DsmcRunRequest) {
  return execa('/bin/sh', wrapperArgs(request.executable, request.args, request.cpuLimitSec), {
    cwd: '/',
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    ...(request.env === undefined ? {} : { env: request.env }),
    encoding: 'utf8',
  });
}

type DsmcSubprocess = ReturnType<typeof startDsmc>;

/** Once dsmc exited, gives its output DRAIN_AFTER_EXIT_MS, then kills the group and stops reading. */
function drainAfterExit(subprocess: DsmcSubprocess, pid: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onExit = (): void => {
    timer = setTimeout(() => {
      killGroup(pid);
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, DRAIN_AFTER_EXIT_MS);
  };
  subprocess.once('exit', onExit);
  return () => {
    subprocess.off('exit', onExit);
    if (timer !== undefined) clearTimeout(timer);
  };
}

/**
 * Why we ended a session ourselves. A prompt wins over a stall, a stall over
 * an abort (a stop that came while a stalled dsmc was being killed).
 */
class StopCauses {
  prompted = false;
  stalledMs: number | null = null;
  aborted = false;
  exited = false;

  constructor(private readonly kill: () => void) {}

  prompt(): void {
    if (this.prompted) return;
    this.prompted = true;
    this.kill();
  }

  stall(idleMs: number): void {
    if (!this.exited) this.stalledMs = idleMs;
    this.kill();
  }

  abort(): void {
    if (!this.exited) this.aborted = true;
    this.kill();
  }
}

/** Runs one dsmc session; never throws; the outcome says how it ended and what it said. */
export async function runDsmc(request: DsmcRunRequest): Promise<DsmcOutcome> {
  if (request.signal?.aborted === true) return { end: { kind: 'aborted' }, messages: [], pid: undefined };
  const tally = new MessageTally(request.keepMessage);
  const subprocess = startDsmc(request);
  const pid = subprocess.pid;
  const kill = (): void => {
    if (pid !== undefined) killGroup(pid);
  };
  const release = pid === undefined ? () => {} : trackGroup(pid);
  if (pid !== undefined) request.onSpawn?.(pid);
  const stop = new StopCauses(kill);
  subprocess.once('exit', () => (stop.exited = true));
  const watchdog = request.stall === undefined ? null : new StallWatchdog(request.stall, (idleMs) => stop.stall(idleMs));
  const output = new OutputReader(
    [subprocess.stdout, subprocess.stderr],
    (line, cls) => {
      watchdog?.touch();
      if (cls.kind === 'message') tally.add(cls.message);
      if (cls.kind === 'prompt') stop.prompt();
      request.onLine?.(line, cls);
    },
    () => stop.prompt(),
  );
  const onAbort = (): void => stop.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const stopDraining = pid === undefined ? () => {} : drainAfterExit(subprocess, pid);

  const result = await subprocess;
  watchdog?.stop();
  stopDraining();
  request.signal?.removeEventListener('abort', onAbort);
  output.finish();
  kill(); // what dsmc left behind in its group
  release();
  return outcomeOf(await endOf(result, stop, request), tally, pid, output);
}

function outcomeOf(end: DsmcEnd, tally: MessageTally, pid: number | undefined, output: OutputReader): DsmcOutcome {
  return {
    end,
    messages: tally.messages,
    pid,
    messageCounts: tally.messageCounts,
    droppedMessages: tally.droppedMessages,
    truncatedLines: output.truncatedLines,
    droppedLineChars: output.droppedLineChars,
  };
}

interface ResultShape {
  readonly exitCode?: number | undefined;
  readonly signal?: string | undefined;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

async function endOf(result: ResultShape, stop: StopCauses, request: DsmcRunRequest): Promise<DsmcEnd> {
  if (stop.prompted) return { kind: 'prompt' };
  if (stop.stalledMs !== null) return { kind: 'stalled', idleSec: Math.round(stop.stalledMs / 1000) };
  if (stop.aborted) return { kind: 'aborted' };
  const { exitCode } = result;
  if (exitCode === 125) return { kind: 'spawn-failed', error: `could not set the CPU time limit (dsmc_cpulimit ${request.cpuLimitSec})` };
  if (exitCode === 126 || exitCode === 127) {
    const searchPath = request.env?.['PATH'] ?? process.env['PATH'] ?? '';
    return { kind: 'spawn-failed', error: await diagnoseExecutable(request.executable, searchPath, exitCode) };
  }
  if (exitCode !== undefined) return { kind: 'exited', exitCode };
  if (result.signal !== undefined) return { kind: 'signaled', signal: result.signal };
  return { kind: 'spawn-failed', error: result.message ?? result.code ?? 'unknown error' };
}
