// Turns the fake dsmc's journal into progress lines and session counts. Pure apart from the watcher's read.
import { readJournal, type JournalEntry, type JournalStartEntry } from '../../fake-dsmc/library.js';
import { formatFiles } from '../format-units.js';
import { volumeOf, type HintMap } from '../hint-file.js';
import { DEFAULT_VOLUME } from '../per-volume.js';

/** Which program runs each dsmc command. */
export const PROGRAM_OF_COMMAND: Readonly<Record<string, string>> = {
  archive: 'archiver',
  retrieve: 'retriever',
  delete: 'deleter',
  query: 'tapehints',
};

/** The volume a retrieve session mounted: that of its first listed id with a hint. */
export function volumeOfSession(start: JournalStartEntry, hints: HintMap): string {
  for (const id of start.ids ?? []) {
    const hint = hints.get(id);
    if (hint !== undefined) return volumeOf(hint);
  }
  return DEFAULT_VOLUME;
}

/** One progress line for a journal entry; undefined for entries not worth a line. */
export function describeJournalEntry(entry: JournalEntry, starts: ReadonlyMap<number, JournalStartEntry>, hints: HintMap): string | undefined {
  if (entry.event === 'signal' || entry.event === 'unload') return undefined;
  if (entry.event === 'start') {
    const files = entry.listLength === undefined ? '' : `: ${formatFiles(entry.listLength)}`;
    const volume = entry.command === 'retrieve' ? ` from volume ${volumeOfSession(entry, hints)}` : '';
    return `dsmc ${entry.command} started (pid ${entry.pid})${volume}${files}`;
  }
  const start = starts.get(entry.pid);
  const done = entry.done === undefined ? '' : `, ${entry.done.length} done`;
  const failed = entry.failed === undefined || entry.failed.length === 0 ? '' : `, ${entry.failed.length} failed`;
  const volume = start?.command === 'retrieve' ? ` (volume ${volumeOfSession(start, hints)})` : '';
  return `dsmc ${entry.command} ended${volume}: rc ${entry.rc ?? entry.signal ?? '?'}${done}${failed}`;
}

/** Sessions per program (start entries by command). */
export function countSessions(entries: readonly JournalEntry[]): Record<string, number> {
  const counts: Record<string, number> = { archiver: 0, retriever: 0, deleter: 0, tapehints: 0 };
  for (const entry of entries) {
    if (entry.event !== 'start') continue;
    const program = PROGRAM_OF_COMMAND[entry.command] ?? entry.command;
    counts[program] = (counts[program] ?? 0) + 1;
  }
  return counts;
}

/** Retrieve sessions (tape mounts for recalls) per volume, by volume name. */
export function countRecallMounts(entries: readonly JournalEntry[], hints: HintMap): [string, number][] {
  const mounts = new Map<string, number>();
  for (const entry of entries) {
    if (entry.event !== 'start' || entry.command !== 'retrieve') continue;
    const volume = volumeOfSession(entry, hints);
    mounts.set(volume, (mounts.get(volume) ?? 0) + 1);
  }
  return [...mounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads the journal and hands out the entries not seen before. */
export class JournalWatcher {
  #seen = 0;
  readonly #starts = new Map<number, JournalStartEntry>();

  constructor(private readonly library: string) {}

  /** Progress lines for the new entries. */
  poll(hints: HintMap): string[] {
    const entries = readJournal(this.library);
    const fresh = entries.slice(this.#seen);
    this.#seen = entries.length;
    const lines: string[] = [];
    for (const entry of fresh) {
      if (entry.event === 'start') this.#starts.set(entry.pid, entry);
      const line = describeJournalEntry(entry, this.#starts, hints);
      if (line !== undefined) lines.push(line);
    }
    return lines;
  }
}
