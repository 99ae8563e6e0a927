// The journal: one JSON line per event, appended with a single write so concurrent
// sessions never interleave inside a line.
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionCommand } from './plan-session.js';
import { isErrno } from '../core/errors.js';

export type SessionOutcome = 'ok' | 'partial' | 'failed' | 'crashed';

export interface JournalStartEntry {
  event: 'start';
  timeMs: number;
  pid: number;
  command: SessionCommand;
  argv: string[];
  /** The scenario action applied (`normal` when no rule matched). */
  action: string;
  /**
   * When this process began (before it loaded its code and read its list):
   * the moment the daemon started the session, which a real dsmc's start-up
   * follows in any case. The bench times the gap between sessions to it.
   * Written after the fields START_PREFIX reads (a count of sessions).
   */
  spawnedMs?: number;
  listFile?: string;
  listLength?: number;
  ids?: string[];
  description?: string;
  destDir?: string;
  pattern?: string;
}

export interface JournalEndEntry {
  event: 'end';
  timeMs: number;
  pid: number;
  command: SessionCommand;
  /** null when the session ended by its own signal (crash). */
  rc: number | null;
  signal?: string;
  outcome: SessionOutcome;
  /** hold-stdout: the pid of the child left holding the output. */
  holderPid?: number;
  done?: string[];
  failed?: string[];
  skipped?: string[];
  /** With a scenario library: each volume the session read, in order (see JournalMount). */
  mounts?: JournalMount[];
  /** With a scenario library: the session got no mount point (past maxNumMp). */
  mountError?: 'ANS1312E';
}

/**
 * One volume a retrieve session read with the scenario's drive model. Durations are
 * simulated seconds of drive time; `startSec`/`endSec` read the library's simulated clock.
 */
export interface JournalMount {
  volume: string;
  volumeId: number;
  /** 0-based drive index. */
  drive: number;
  /** The volume was still in its drive (mount retention): no robot, no load. */
  followOn: boolean;
  /** The least recently used idle volume this mount unloaded, if any. */
  evictedVolume?: string;
  /** Waiting for a drive (ANS1114I) or for the volume to be free. */
  waitSec: number;
  /** Rewind and unload of the evicted volume before this mount. */
  unmountSec: number;
  /** Robot move and load; 0 on a follow-on. */
  mountSec: number;
  locateSec: number;
  transferSec: number;
  /** Files read from this volume. */
  files: number;
  /** When the session asked for the volume and when it let the drive go. */
  startSec: number;
  endSec: number;
}

/** A volume taken out of its drive (any reason, whichever session's call found it due). */
export interface JournalUnloadEntry {
  event: 'unload';
  timeMs: number;
  pid: number;
  drive: number;
  volume: string;
  reason: 'retention' | 'eviction';
  /** Simulated clock when the rewind began. */
  startSec: number;
  rewindSec: number;
  unloadSec: number;
}

/** Written when a hanging/prompting session ignores a termination signal. */
export interface JournalSignalEntry {
  event: 'signal';
  timeMs: number;
  pid: number;
  signal: string;
  ignored: boolean;
}

export type JournalEntry = JournalStartEntry | JournalEndEntry | JournalSignalEntry | JournalUnloadEntry;

/** Lists longer than this are left out of entries to keep lines reasonable. */
export const MAX_JOURNAL_IDS = 10_000;

export const JOURNAL_FILE = 'journal.jsonl';

export function appendJournal(journalPath: string, entry: JournalEntry): void {
  appendFileSync(journalPath, `${JSON.stringify(entry)}\n`);
}

/** Parses journal text; a torn last line (writer still busy) is skipped. */
export function parseJournal(text: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // a line being appended right now
    }
  }
  return entries;
}

function resolveJournalPath(journalPathOrLibraryDir: string): string {
  try {
    return statSync(journalPathOrLibraryDir).isDirectory() ? join(journalPathOrLibraryDir, JOURNAL_FILE) : journalPathOrLibraryDir;
  } catch {
    return journalPathOrLibraryDir;
  }
}

/** All entries of a journal, given its path or the library directory holding the default one. */
export function readJournal(journalPathOrLibraryDir: string): JournalEntry[] {
  try {
    return parseJournal(readFileSync(resolveJournalPath(journalPathOrLibraryDir), 'utf8'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

// Start entries begin with these keys in this order (see JournalStartEntry writers), so
// counting needs no JSON.parse of lines that can hold 10,000 ids.
const START_PREFIX = /^\{"event":"start","timeMs":\d+,"pid":\d+,"command":"(\w+)"/;

/** Number of start entries per command, plus `any` for all of them. */
export function countStarts(journalPath: string): Map<string, number> {
  const counts = new Map<string, number>([['any', 0]]);
  let text: string;
  try {
    text = readFileSync(journalPath, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return counts;
    throw error;
  }
  for (const line of text.split('\n')) {
    const command = START_PREFIX.exec(line)?.[1];
    if (command === undefined) continue;
    counts.set(command, (counts.get(command) ?? 0) + 1);
    counts.set('any', (counts.get('any') ?? 0) + 1);
  }
  return counts;
}
