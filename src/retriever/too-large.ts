/**
 * Requests whose file can never fit in in/ (fault 8). A list only starts
 * when it fits between the free space and the kill line, and the free space
 * can never exceed the filesystem: a file larger than the filesystem minus
 * the kill line would wait for ever, and since each list takes its oldest
 * requests first, the whole volume (without a hint file: every recall) with
 * it. Such a request is left out of the lists, named in the log once an
 * hour, and counted; it stays in request/ for dCache to cancel. Pure.
 */
import type { RequestInfo } from './policy.js';
import type { SpaceLines, SpaceView } from './space.js';

export const TOO_LARGE_LOG_INTERVAL_MS = 3_600_000;

/** The most a list could ever hold: the whole filesystem free, down to the kill line. */
export function maxListBytes(space: SpaceView, lines: SpaceLines): number {
  return space.totalBytes - lines.killLineBytes;
}

/** Requests that may fit some day, and those that never can. */
export function splitTooLarge(requests: readonly RequestInfo[], maxBytes: number): { fitting: RequestInfo[]; tooLarge: RequestInfo[] } {
  const fitting: RequestInfo[] = [];
  const tooLarge: RequestInfo[] = [];
  for (const request of requests) (request.sizeBytes > maxBytes ? tooLarge : fitting).push(request);
  return { fitting, tooLarge };
}

/** A request found too large in one cycle. */
export interface TooLargeRequest {
  readonly id: string;
  readonly volume: string;
  readonly sizeBytes: number;
}

interface TooLargeEntry {
  readonly volume: string;
  readonly lastLoggedMs: number;
}

/** The too-large requests known, by id. */
export type TooLargeState = ReadonlyMap<string, TooLargeEntry>;

export const NO_TOO_LARGE: TooLargeState = new Map();

/** What one cycle's planning saw. */
export interface TooLargeView {
  readonly nowMs: number;
  /** Too-large requests of the volumes whose requests were looked at this cycle. */
  readonly found: readonly TooLargeRequest[];
  /** The volumes whose requests were looked at: an entry of one of them not found again is gone. */
  readonly examined: ReadonlySet<string>;
  /** Every volume with pending requests: an entry of a volume that has none is gone. */
  readonly waiting: ReadonlySet<string>;
}

export interface TooLargeDecision {
  readonly next: TooLargeState;
  /** Requests to name in the log now: new ones, and known ones an hour after they were last named. */
  readonly toLog: readonly TooLargeRequest[];
}

/**
 * Keeps the too-large requests known (for the figure) and says which to name
 * in the log. An entry is kept while its volume still waits and was not
 * looked at again without it. A clock set back counts as "logged now", so
 * it never stops the hourly line for longer than an hour.
 */
export function decideTooLarge(previous: TooLargeState, view: TooLargeView): TooLargeDecision {
  const next = new Map<string, TooLargeEntry>();
  for (const [id, entry] of previous) {
    if (view.waiting.has(entry.volume) && !view.examined.has(entry.volume)) next.set(id, entry);
  }
  const toLog: TooLargeRequest[] = [];
  for (const request of view.found) {
    const last = previous.get(request.id)?.lastLoggedMs ?? null;
    const due = last === null || view.nowMs - last >= TOO_LARGE_LOG_INTERVAL_MS;
    if (due) toLog.push(request);
    const lastLoggedMs = last === null || due || last > view.nowMs ? view.nowMs : last;
    next.set(request.id, { volume: request.volume, lastLoggedMs });
  }
  return { next, toLog };
}
