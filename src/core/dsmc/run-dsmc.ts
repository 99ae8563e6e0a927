import { execa } from 'execa';
import type { DsmcMessage, LineClass } from './classify-line.js';
import { isPrompt } from './classify-line.js';
import { LineSplitter } from './line-splitter.js';
import { MessageAssembler } from './message-assembler.js';

export interface DsmcRunRequest {
  readonly executable: string;
  readonly args: readonly string[];
  /** RLIMIT_CPU for the dsmc process, seconds (dsmc can spin forever). */
  readonly cpuLimitSec: number;
  /** Aborting kills dsmc with SIGKILL (shutdown, emergency brake). */
  readonly signal?: AbortSignal;
  readonly onSpawn?: (pid: number) => void;
  readonly onLine?: (line: string, cls: LineClass) => void;
  /**
   * Which messages to keep in the outcome (default: all). A caller that acts
   * on messages in `onLine` as they come keeps memory flat when dsmc prints
   * one message per file of a million-file list.
   */
  readonly keepMessage?: (message: DsmcMessage) => boolean;
  readonly env?: Readonly<Record<string, string>>;
}

export type DsmcEnd =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'prompt' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'signaled'; readonly signal: string }
  | { readonly kind: 'spawn-failed'; readonly error: string };

export interface DsmcOutcome {
  readonly end: DsmcEnd;
  readonly messages: readonly DsmcMessage[];
  readonly pid: number | undefined;
}

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
    case 'signaled':
      return `died with signal ${end.signal}`;
    case 'spawn-failed':
      return `could not be started: ${end.error}`;
  }
}

/** Runs one dsmc session; never throws; the outcome says how it ended and what it said. */
export async function runDsmc(request: DsmcRunRequest): Promise<DsmcOutcome> {
  const messages: DsmcMessage[] = [];
  let prompted = false;
  const subprocess = execa('/bin/sh', wrapperArgs(request.executable, request.args, request.cpuLimitSec), {
    cwd: '/',
    stdin: 'ignore',
    buffer: false,
    reject: false,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    ...(request.signal === undefined ? {} : { cancelSignal: request.signal }),
    ...(request.env === undefined ? {} : { env: request.env }),
    encoding: 'utf8',
  });
  const pid = subprocess.pid;
  if (pid !== undefined) request.onSpawn?.(pid);

  const killForPrompt = (): void => {
    if (prompted) return;
    prompted = true;
    subprocess.kill('SIGKILL');
  };
  const assembler = new MessageAssembler((line, cls) => {
    if (cls.kind === 'message' && (request.keepMessage?.(cls.message) ?? true)) messages.push(cls.message);
    if (cls.kind === 'prompt') killForPrompt();
    request.onLine?.(line, cls);
  });
  for (const stream of [subprocess.stdout, subprocess.stderr]) {
    if (stream === null) continue;
    const splitter = new LineSplitter(
      (line) => assembler.push(line),
      (partial) => {
        if (isPrompt(partial)) killForPrompt();
      },
    );
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => splitter.push(chunk));
    stream.on('end', () => splitter.end());
  }

  const result = await subprocess;
  assembler.flush();
  return { end: endOf(result, prompted), messages, pid };
}

interface ResultShape {
  readonly failed: boolean;
  readonly exitCode?: number | undefined;
  readonly signal?: string | undefined;
  readonly isCanceled: boolean;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

function endOf(result: ResultShape, prompted: boolean): DsmcEnd {
  if (prompted) return { kind: 'prompt' };
  if (result.isCanceled) return { kind: 'aborted' };
  if (result.exitCode === 125) return { kind: 'spawn-failed', error: 'could not set the CPU time limit' };
  if (result.exitCode === 126 || result.exitCode === 127) return { kind: 'spawn-failed', error: `executable not found or not executable (shell code ${result.exitCode})` };
  if (result.exitCode !== undefined) return { kind: 'exited', exitCode: result.exitCode };
  if (result.signal !== undefined) return { kind: 'signaled', signal: result.signal };
  return { kind: 'spawn-failed', error: result.message ?? result.code ?? 'unknown error' };
}
