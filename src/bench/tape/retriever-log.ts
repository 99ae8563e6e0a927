/**
 * What bench:tape reads in the retriever's log (written with
 * `log_format: json`, for millisecond times): the codes it warned with
 * (`space_full`: the emergency kills) and when it started each session, to
 * measure how long a dsmc process took to start. In compressed time that
 * start-up counts a hundred times over, so the report shows it. Pure.
 */
import path from 'node:path';
import type { JournalEntry, JournalStartEntry } from '../../fake-dsmc/journal.js';

export interface RetrieverLogFacts {
  /** Lines per log code. */
  readonly codes: ReadonlyMap<string, number>;
  /** "Starting retrieve session for volume V" lines, in log order. */
  readonly sessionStarts: ReadonlyArray<{ readonly volume: string; readonly timeMs: number }>;
}

const SESSION_START = /^Starting retrieve session for volume (\S+):/;

export function parseRetrieverLog(text: string): RetrieverLogFacts {
  const codes = new Map<string, number>();
  const sessionStarts: Array<{ volume: string; timeMs: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let record: { time?: unknown; code?: unknown; msg?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue; // a line being written
    }
    if (typeof record.code === 'string') codes.set(record.code, (codes.get(record.code) ?? 0) + 1);
    const volume = typeof record.msg === 'string' ? SESSION_START.exec(record.msg)?.[1] : undefined;
    if (volume !== undefined && typeof record.time === 'string') sessionStarts.push({ volume, timeMs: Date.parse(record.time) });
  }
  return { codes, sessionStarts };
}

/** The volume of a retrieve session: its list file is `requestlists/<volume>.<random>`. */
function listVolume(start: JournalStartEntry): string | undefined {
  if (start.listFile === undefined) return undefined;
  const name = path.basename(start.listFile);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}

/** For each fake retrieve session: real milliseconds from the retriever's start line for its volume to the fake's start entry. */
export function planStartDelaysMs(facts: RetrieverLogFacts, journal: readonly JournalEntry[]): number[] {
  const delays: number[] = [];
  for (const entry of journal) {
    if (entry.event !== 'start' || entry.command !== 'retrieve') continue;
    const volume = listVolume(entry);
    let startedMs: number | undefined;
    for (const s of facts.sessionStarts) if (s.volume === volume && s.timeMs <= entry.timeMs) startedMs = s.timeMs;
    if (startedMs !== undefined) delays.push(entry.timeMs - startedMs);
  }
  return delays;
}
