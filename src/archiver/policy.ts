import type { PoolFiles } from '../core/pool/index.js';
import { backoffRemainingMs, NO_BACKOFF, recordSessionResult, type BackoffState } from '../core/runtime/backoff.js';
import { formatDescriptionTime } from '../core/dsmc/invocations.js';
import { orderOldestFirst } from './oldest-first.js';


/** The archiver's configuration in base units, derived once per configuration snapshot. */
export interface ArchiverSettings {
  /** Index k−1 holds threshold k in bytes; undefined where unset. */
  readonly thresholdsBytes: readonly (number | undefined)[];
  readonly timeoutMs: number;
  readonly retryTimeoutMs: number;
  readonly sleepMs: number;
  readonly backoffMaxMs: number;
}

export interface ArchiverState {
  /** Sessions wanted, with hysteresis (0–9). */
  readonly level: number;
  /** Since when data has been waiting (or since the last failure); null with nothing waiting. */
  readonly waitStartMs: number | null;
  /** Some files in out/ are left over from a failed session. */
  readonly retryPending: boolean;
  readonly backoff: BackoffState;
  readonly lastDescription: { readonly base: string; readonly count: number } | null;
}

export const INITIAL_ARCHIVER_STATE: ArchiverState = {
  level: 0,
  waitStartMs: null,
  retryPending: false,
  backoff: NO_BACKOFF,
  lastDescription: null,
};

/** The names in running sessions' lists: a Set, or the Map the cycle keeps them in. */
export interface NameSet {
  has(name: string): boolean;
  readonly size: number;
}

/** One cycle's snapshot of the world. */
export interface ArchiverView {
  readonly nowMs: number;
  /** Every hexadecimal regular file in out/. */
  readonly files: PoolFiles;
  /** Names in the lists of running sessions. */
  readonly working: NameSet;
  /** Files dsmc archived that could not be removed from out/: never archived again. */
  readonly held: NameSet;
  readonly runningSessions: number;
  /** Sessions that ended since the previous cycle. */
  readonly endedSessions: number;
  /** SIGUSR1: flush what is pending now, once. */
  readonly skipDelays: boolean;
  /** Archive sessions the coordination group's budget lets start now (issue 12); absent: no group, local limits alone. */
  readonly groupSlots?: number;
}

export interface PlannedArchiveSession {
  readonly files: PoolFiles;
  readonly bytes: number;
  readonly description: string;
  readonly reason: string;
}

export interface ArchiverDecision {
  readonly sessions: readonly PlannedArchiveSession[];
  readonly nextState: ArchiverState;
  readonly reasons: readonly string[];
  readonly usage: { readonly files: number; readonly bytes: number };
  readonly pending: { readonly files: number; readonly bytes: number };
  /**
   * When time alone could change this decision (a wait timer runs out, a
   * back-off ends); null when only a change in the world can (files come or
   * go, a session starts or ends, SIGUSR1, new configuration). Until then,
   * with the same world, the cycle need not ask again.
   */
  readonly recheckAtMs: number | null;
}

/** Highest k (1–9) whose threshold the usage exceeds; 0 if none. */
export function thresholdLevel(usageBytes: number, thresholdsBytes: readonly (number | undefined)[]): number {
  let level = 0;
  thresholdsBytes.forEach((threshold, index) => {
    if (threshold !== undefined && usageBytes > threshold) level = index + 1;
  });
  return level;
}

/**
 * Hysteresis: a reached level is kept while usage stays above the next lower
 * threshold, and steps down one level each time usage falls below one.
 */
export function decideLevel(previousLevel: number, usageBytes: number, thresholdsBytes: readonly (number | undefined)[]): number {
  const reached = thresholdLevel(usageBytes, thresholdsBytes);
  if (usageBytes <= 0) return 0;
  return Math.max(reached, Math.min(previousLevel, reached + 1));
}

/** Unique session descriptions: two sessions in the same second get `-2`, `-3`, ... */
export function nextDescription(
  last: ArchiverState['lastDescription'],
  nowMs: number,
): { description: string; last: NonNullable<ArchiverState['lastDescription']> } {
  const base = `ENDIT-${formatDescriptionTime(nowMs)}`;
  const count = last?.base === base ? last.count + 1 : 1;
  return { description: count === 1 ? base : `${base}-${count}`, last: { base, count } };
}

/** Oldest mtime first, so files written together stay together on tape; name breaks ties. */
export function oldestFirst(files: PoolFiles): PoolFiles {
  return files.pick(orderOldestFirst(files));
}

/**
 * Splits pending files, taken oldest first (in `order`, positions in
 * `pending`), into `count` chunks of about `chunkBytes` each; the last takes
 * no more than its share.
 */
export function splitIntoSessions(pending: PoolFiles, order: Uint32Array, count: number, chunkBytes: number): PoolFiles[] {
  const chunks: PoolFiles[] = [];
  let index = 0;
  for (let s = 0; s < count && index < order.length; s++) {
    const start = index;
    let bytes = 0;
    while (index < order.length && (index === start || bytes < chunkBytes)) {
      bytes += pending.sizeBytes(order[index] as number);
      index++;
    }
    // Exact-size columns, straight from the pending files (no sorted copy of them all first).
    chunks.push(pending.pick(order.subarray(start, index)));
  }
  return chunks;
}

/** Bookkeeping after a session ended: success clears the back-off, failure starts the retry timer. */
export function recordArchiveOutcome(state: ArchiverState, succeeded: boolean, nowMs: number): ArchiverState {
  return {
    ...state,
    backoff: recordSessionResult(state.backoff, succeeded, nowMs),
    ...(succeeded ? {} : { retryPending: true, waitStartMs: nowMs }),
  };
}

/** What one decision works with; `nextState` is the state so far. */
interface Deciding {
  readonly settings: ArchiverSettings;
  readonly state: ArchiverState;
  readonly view: ArchiverView;
  readonly pendingFiles: PoolFiles;
  readonly usage: ArchiverDecision['usage'];
  readonly pending: ArchiverDecision['pending'];
  readonly reasons: string[];
  readonly nextState: ArchiverState;
}

/** The archiver's decision for one cycle (SPEC 5). Pure: time and the world come in `view`. */
export function decideArchiverCycle(settings: ArchiverSettings, state: ArchiverState, view: ArchiverView): ArchiverDecision {
  const { working, held } = view;
  const pendingFiles = working.size === 0 && held.size === 0 ? view.files : pendingOf(view.files, working, held);
  const usage = { files: view.files.length, bytes: view.files.totalBytes() };
  const pending = { files: pendingFiles.length, bytes: pendingFiles.totalBytes() };
  if (view.files.length === 0) {
    const reset: ArchiverState = { ...INITIAL_ARCHIVER_STATE, lastDescription: state.lastDescription };
    return { sessions: [], nextState: reset, reasons: ['out/ is empty'], usage, pending, recheckAtMs: null };
  }
  const reasons: string[] = [];
  const level = decideLevel(state.level, usage.bytes, settings.thresholdsBytes);
  const waitStartMs = decideWaitStart(state.waitStartMs, pendingFiles, view.nowMs, reasons);
  return decideSessions({ settings, state, view, pendingFiles, usage, pending, reasons, nextState: { ...state, level, waitStartMs } });
}

/** The files in no running session's list and not held. */
function pendingOf(files: PoolFiles, working: NameSet, held: NameSet): PoolFiles {
  const positions = new Uint32Array(files.length);
  let count = 0;
  for (let i = 0; i < files.length; i++) {
    const name = files.name(i);
    if (!working.has(name) && !held.has(name)) positions[count++] = i;
  }
  return files.pick(positions.subarray(0, count));
}

/** Since when data has been waiting; null with nothing pending. */
function decideWaitStart(waitStartMs: number | null, pendingFiles: PoolFiles, nowMs: number, reasons: string[]): number | null {
  if (pendingFiles.length === 0) return null;
  if (waitStartMs === null) {
    // Data that was already waiting before we started (a restart) counts from its mtime.
    let oldest = nowMs;
    for (let i = 0; i < pendingFiles.length; i++) oldest = Math.min(oldest, pendingFiles.mtimeMs(i));
    return oldest;
  }
  if (waitStartMs > nowMs) {
    reasons.push('clock went backwards: wait timer restarted');
    return nowMs;
  }
  return waitStartMs;
}

function decideSessions(d: Deciding): ArchiverDecision {
  const { settings, state, view, pendingFiles } = d;
  if (pendingFiles.length === 0) return none(d, 'everything in out/ is in a running session or held');
  // A change in the group makes the cycle decide again: no timer needed.
  if ((view.groupSlots ?? Infinity) <= 0) return none(d, 'no session free in the group budget (coordination_maxsessions), or ZooKeeper not answering yet: waiting');
  if (view.skipDelays) return plan(d, [oldestFirst(pendingFiles)], 'SIGUSR1: flushing everything pending now');
  const backoffMs = backoffRemainingMs(state.backoff, view.nowMs, settings.sleepMs, settings.backoffMaxMs);
  if (backoffMs > 0) return none(d, `${state.backoff.failures} failed session(s) in a row: waiting ${Math.ceil(backoffMs / 1000)} s more`, view.nowMs + backoffMs);
  return decideByThreshold(d) ?? decideByTimeout(d);
}

/** Sessions up to the level, when the pending part is worth a tape session or the tapes are mounted; null if none. */
function decideByThreshold(d: Deciding): ArchiverDecision | null {
  const { settings, view, usage, pending } = d;
  const level = d.nextState.level;
  const wanted = Math.min(level - view.runningSessions, view.groupSlots ?? Infinity);
  const threshold1 = settings.thresholdsBytes[0] ?? Infinity;
  const worthASession = pending.bytes > threshold1;
  const keepTapesBusy = view.endedSessions > 0 && view.runningSessions + view.endedSessions >= level;
  if (!(wanted > 0 && (worthASession || keepTapesBusy))) return null;
  const chunks = splitIntoSessions(d.pendingFiles, orderOldestFirst(d.pendingFiles), wanted, usage.bytes / level);
  return plan(d, chunks, `usage ${usage.bytes} bytes at level ${level}: ${view.runningSessions} running, starting ${chunks.length}`);
}

/** With nothing running, everything pending goes in one session once it waited archiver_timeout (archiver_retrytimeout after a failure). */
function decideByTimeout(d: Deciding): ArchiverDecision {
  const { settings, state, view, pending } = d;
  const waitStartMs = d.nextState.waitStartMs;
  if (view.runningSessions > 0 || waitStartMs === null) return none(d, `${view.runningSessions} session(s) running at level ${d.nextState.level}`);
  const timeoutMs = state.retryPending ? settings.retryTimeoutMs : settings.timeoutMs;
  const waitedMs = view.nowMs - waitStartMs;
  if (waitedMs < timeoutMs) {
    return none(d, `waiting: ${pending.bytes} bytes pending, below threshold 1; ${Math.ceil((timeoutMs - waitedMs) / 1000)} s until timeout`, waitStartMs + timeoutMs);
  }
  const which = state.retryPending ? 'archiver_retrytimeout' : 'archiver_timeout';
  return plan(d, [oldestFirst(d.pendingFiles)], `data waited ${Math.round(waitedMs / 1000)} s (${which}): flushing everything pending`);
}

/** Sessions for these chunks, each with a unique description; the wait timer and retry mark start over. */
function plan(d: Deciding, chunks: readonly PoolFiles[], reason: string): ArchiverDecision {
  const sessions: PlannedArchiveSession[] = [];
  let last = d.nextState.lastDescription;
  for (const chunk of chunks) {
    const named = nextDescription(last, d.view.nowMs);
    last = named.last;
    sessions.push({ files: chunk, bytes: chunk.totalBytes(), description: named.description, reason });
  }
  d.reasons.push(reason);
  const nextState: ArchiverState = { ...d.nextState, waitStartMs: null, retryPending: false, lastDescription: last };
  return { sessions, nextState, reasons: d.reasons, usage: d.usage, pending: d.pending, recheckAtMs: null };
}

function none(d: Deciding, reason: string, recheckAtMs: number | null = null): ArchiverDecision {
  d.reasons.push(reason);
  return { sessions: [], nextState: d.nextState, reasons: d.reasons, usage: d.usage, pending: d.pending, recheckAtMs };
}
