import path from 'node:path';
import { errorMessage } from '../errors.js';
import { createFileSink, type LogSink } from './log-sink.js';
import type { Logger } from './logger.js';

/**
 * One line of `<logdir>/tsm<daemon>-sessions.jsonl`, one per dsmc session,
 * written when it ended. The format is shared with `endit tapemetrics`
 * (README, "Session history"): add fields, never rename or drop one.
 */
export interface SessionHistoryRecord {
  /** ISO 8601 UTC with ms, when the line was written. */
  readonly time: string;
  readonly daemon: 'archiver' | 'retriever' | 'deleter';
  /** desc-short. */
  readonly hsm: string;
  /** Retriever: the session's volume (or `default`); archiver and deleter: null. */
  readonly volume: string | null;
  /** dsmc's pid; null if it never started. */
  readonly pid: number | null;
  readonly start: string;
  readonly end: string;
  /** Files the session completed (archived, retrieved, deleted). */
  readonly files: number;
  /** Bytes of those files (deleter: 0, unknown). */
  readonly bytes: number;
  /** Files of its list it did not complete. */
  readonly failed: number;
  /** dsmc's exit code; null if it did not exit by itself. */
  readonly rc: number | null;
  /** Why it started. */
  readonly reason: string;
  /** Retriever: its tape was estimated still mounted (no fresh mount); others false. */
  readonly followOn: boolean;
}

/** What a daemon tells of a session that ended: the record without what the writer adds, times as ms. */
export type SessionSummary = Omit<SessionHistoryRecord, 'time' | 'daemon' | 'hsm' | 'start' | 'end'> & {
  readonly startMs: number;
  readonly endMs: number;
};

/** Where a daemon's session records go. */
export interface SessionHistory {
  record(summary: SessionSummary): void;
  close(): void;
}

export interface SessionHistoryOptions {
  readonly daemon: SessionHistoryRecord['daemon'];
  /** Log file base name, e.g. `tsmretriever`. */
  readonly logName: string;
  /** `-`: the records go to the log. */
  readonly logdir: string;
  readonly hsm: string;
  readonly logger: Logger;
  readonly nowMs?: () => number;
}

/** A reason text is the policy's, short; a long one is cut so that a record always fits a log line. */
const MAX_REASON_CHARS = 500;

export function sessionHistoryPath(logdir: string, logName: string): string | null {
  return logdir === '-' ? null : path.join(logdir, `${logName}-sessions.jsonl`);
}

/** The JSON line of one session, fields in the documented order. Pure. */
export function formatSessionRecord(daemon: SessionHistoryRecord['daemon'], hsm: string, summary: SessionSummary, nowMs: number): string {
  const record: SessionHistoryRecord = {
    time: new Date(nowMs).toISOString(),
    daemon,
    hsm,
    volume: summary.volume,
    pid: summary.pid,
    start: new Date(summary.startMs).toISOString(),
    end: new Date(summary.endMs).toISOString(),
    files: summary.files,
    bytes: summary.bytes,
    failed: summary.failed,
    rc: summary.rc,
    reason: summary.reason.length <= MAX_REASON_CHARS ? summary.reason : `${summary.reason.slice(0, MAX_REASON_CHARS)}...`,
    followOn: summary.followOn,
  };
  return `${JSON.stringify(record)}\n`;
}

/**
 * The history of a daemon's sessions: appended to its `.jsonl` file next to
 * the log, with the log's sink (O_NOFOLLOW, append, reopened after
 * rotation), or, with `logdir: -`, logged as `[session_record]` lines. A
 * record is never lost: while the file cannot be opened or written, it goes
 * to the log (one `session_history_failed` warning per new problem).
 */
export function createSessionHistory(options: SessionHistoryOptions): SessionHistory {
  const { logger } = options;
  const nowMs = options.nowMs ?? Date.now;
  const file = sessionHistoryPath(options.logdir, options.logName);
  const toLog = (line: string): void => logger.info(line.trimEnd(), 'session_record');
  let sink: LogSink | null = null;
  let lastProblem = '';
  const open = (): void => {
    if (file === null) return;
    try {
      sink = createFileSink(file, nowMs, toLog);
      lastProblem = '';
    } catch (error) {
      const problem = errorMessage(error);
      if (problem !== lastProblem) logger.warn('session_history_failed', `cannot open the session history ${file}: ${problem}; records go to this log until it can`);
      lastProblem = problem;
    }
  };
  open();
  return {
    record: (summary) => {
      const line = formatSessionRecord(options.daemon, options.hsm, summary, nowMs());
      if (sink === null) open();
      if (sink === null) toLog(line);
      else sink.write(line);
    },
    close: () => sink?.close(),
  };
}
