// What `endit plan` reads of the retriever's session history
// (`<logdir>/tsmretriever-sessions.jsonl`): the session ends from which the
// retriever's own policy reckons which tapes are still mounted.
import fs from 'node:fs';
import { sessionHistoryPath, type SessionHistoryRecord } from '../../core/log/session-history.js';
import type { RecordedSessionEnd } from '../../retriever/policy.js';
import { DEFAULT_VOLUME } from '../../retriever/volume-name.js';
import type { CliIo } from '../cli-io.js';
import { readSessionFile } from '../tapemetrics/session-files.js';
import { parseSessionHistoryText } from '../tapemetrics/session-record.js';

/** What the plan read of the history, for the output. */
export interface PlanHistory {
  /** The history file; null with `logdir: -` (the records go to the log). */
  readonly file: string | null;
  /** Whether the file (or its last rotated copy) was there to read. */
  readonly found: boolean;
  readonly records: readonly SessionHistoryRecord[];
}

/**
 * The retriever sessions of this pool's HSM that read a volume, oldest end
 * first, as the policy's bookkeeping takes them. Records whose times do
 * not parse are left out. Pure.
 */
export function planSessionEnds(records: readonly SessionHistoryRecord[], hsm: string): RecordedSessionEnd[] {
  const ends: RecordedSessionEnd[] = [];
  for (const record of records) {
    if (record.daemon !== 'retriever' || record.hsm !== hsm || record.volume === null || record.volume === DEFAULT_VOLUME) continue;
    const endMs = Date.parse(record.end);
    if (!Number.isFinite(endMs)) continue;
    // The record's failed count mixes dsmc's failures with retries: only files retrieved prove the tape was read.
    ends.push({ volume: record.volume, endMs, followOn: record.followOn, delivered: record.files > 0 });
  }
  return ends.sort((a, b) => a.endMs - b.endMs);
}

/** The one warning line about a history file's bad lines; null when there are none. Pure. */
export function historyWarning(file: string, badLines: number, firstBad: { lineNumber: number; reason: string } | null): string | null {
  if (badLines === 0 || firstBad === null) return null;
  return `endit plan: warning: ${file}: ${badLines} line(s) that are no session record left out (first: line ${firstBad.lineNumber}, ${firstBad.reason})\n`;
}

/**
 * The retriever's session history: the file next to its log and, when
 * logrotate has moved it lately, its previous copy (`.1` or `.1.gz`), so
 * sessions that ended just before the rotation still count. A missing file
 * is no history; an unreadable one or bad lines get one warning each
 * naming the file; a last line still being written is left out silently.
 */
export function readRetrieverHistory(logdir: string, io: CliIo): PlanHistory {
  const file = sessionHistoryPath(logdir, 'tsmretriever');
  if (file === null) return { file: null, found: false, records: [] };
  const records: SessionHistoryRecord[] = [];
  let found = false;
  for (const candidate of [`${file}.1.gz`, `${file}.1`, file]) {
    if (fs.lstatSync(candidate, { throwIfNoEntry: false }) === undefined) continue;
    found = true;
    const read = readSessionFile(candidate);
    if (!read.ok) {
      io.err(`endit plan: warning: ${read.error}; its sessions are not taken into account\n`);
      continue;
    }
    const parsed = parseSessionHistoryText(read.text);
    const warning = historyWarning(candidate, parsed.badLines, parsed.firstBad);
    if (warning !== null) io.err(warning);
    records.push(...parsed.records);
  }
  return { file, found, records };
}
