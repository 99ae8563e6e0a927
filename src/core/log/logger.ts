import fs from 'node:fs';
import path from 'node:path';
import { formatJsonLine, formatTextLine, syslogPrefix, type LogLevel, type LogRecord } from './format-line.js';
import type { LogCode, RecordCode } from './codes.js';
import { createFileSink, createStdoutSink, type LogSink } from './log-sink.js';

/** The longest line we write; per-file lists are split, never written as one giant line. */
export const MAX_LINE_CHARS = 4000;

export interface LoggerOptions {
  /** Log file name without `.log`, e.g. `tsmarchiver`. */
  readonly logName: string;
  /** `-` for standard output. */
  readonly logdir: string;
  readonly hsm: string;
  readonly format: 'text' | 'json';
  readonly nowMs?: () => number;
  /** Called for every warning and error, so that the daemon can count them by code. */
  readonly onIssue?: (code: LogCode, level: 'warn' | 'error') => void;
  /** Standard output is journald's stream: prefix each line with its priority. Default: detected (JOURNAL_STREAM). */
  readonly journal?: boolean;
}

export interface Logger {
  /** With a code: a line that carries a record (e.g. a session's history with logdir -). */
  info(message: string, code?: RecordCode): void;
  /** Logged only when `verbose` is on: one line per file handled. */
  verbose(message: string): void;
  debug(message: string): void;
  warn(code: LogCode, message: string): void;
  error(code: LogCode, message: string): void;
  setLevels(levels: { verbose: boolean; debug: boolean }): void;
  readonly isVerbose: boolean;
  readonly isDebug: boolean;
  close(): void;
}

/**
 * systemd sets JOURNAL_STREAM to `<device>:<inode>` of the stream it
 * connects standard output to; it is inherited, so it counts only while
 * standard output is still that stream (not a terminal or a file). Pure.
 */
export function isJournalStream(journalStream: string | undefined, stdout: { readonly dev: bigint; readonly ino: bigint } | null): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  if (match === null || stdout === null) return false;
  return BigInt(match[1] as string) === stdout.dev && BigInt(match[2] as string) === stdout.ino;
}

function stdoutIsJournal(): boolean {
  let stdout: { dev: bigint; ino: bigint } | null;
  try {
    stdout = fs.fstatSync(1, { bigint: true });
  } catch {
    stdout = null;
  }
  return isJournalStream(process.env['JOURNAL_STREAM'], stdout);
}

export function logFilePath(logdir: string, logName: string): string | null {
  return logdir === '-' ? null : path.join(logdir, `${logName}.log`);
}

function truncate(message: string): string {
  return message.length <= MAX_LINE_CHARS ? message : `${message.slice(0, MAX_LINE_CHARS)}... (truncated)`;
}

export function createLogger(options: LoggerOptions): Logger {
  const nowMs = options.nowMs ?? Date.now;
  const file = logFilePath(options.logdir, options.logName);
  const sink: LogSink = file === null ? createStdoutSink() : createFileSink(file, nowMs);
  const format = options.format === 'json' ? formatJsonLine : formatTextLine;
  // `journalctl -p warning` needs the priority; a terminal or a file gets none.
  const journal = file === null && (options.journal ?? stdoutIsJournal());
  let verboseOn = true;
  let debugOn = false;

  const emit = (level: LogLevel, message: string, code?: string): void => {
    const record: LogRecord = {
      timeMs: nowMs(),
      level,
      hsm: options.hsm,
      pid: process.pid,
      message: truncate(message),
      ...(code === undefined ? {} : { code }),
    };
    sink.write(journal ? `${syslogPrefix(level)}${format(record)}` : format(record));
  };

  return {
    info: (message, code) => emit('info', message, code),
    verbose: (message) => {
      if (verboseOn) emit('info', message);
    },
    debug: (message) => {
      if (debugOn) emit('debug', message);
    },
    warn: (code, message) => {
      emit('warn', message, code);
      options.onIssue?.(code, 'warn');
    },
    error: (code, message) => {
      emit('error', message, code);
      options.onIssue?.(code, 'error');
    },
    setLevels: (levels) => {
      verboseOn = levels.verbose;
      debugOn = levels.debug;
    },
    get isVerbose() {
      return verboseOn;
    },
    get isDebug() {
      return debugOn;
    },
    close: () => sink.close(),
  };
}
