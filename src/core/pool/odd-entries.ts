import type fs from 'node:fs';

/** What a directory entry is; only `file` is ever taken as pool work. */
export type EntryKind = 'file' | 'symlink' | 'directory' | 'fifo' | 'socket' | 'device' | 'unknown';

type TypedEntry = Pick<fs.Dirent | fs.Stats, 'isFile' | 'isSymbolicLink' | 'isDirectory' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>;

/**
 * The kind of an entry from a Dirent or from `lstat` (never `stat`: that
 * follows a symlink, and a planted `out/<id> -> /etc/shadow` would go to tape).
 */
export function entryKind(entry: TypedEntry): EntryKind {
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isSocket()) return 'socket';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'device';
  return 'unknown';
}

export type OddEntryWarn = (message: string) => void;

/**
 * Warns once per odd entry (anything but a regular file) of one directory,
 * naming it; an entry that goes away and comes back is warned about again.
 * Memory is bounded by the odd entries present, not by the directory size.
 */
export class OddEntryWarnings {
  private warned = new Map<string, EntryKind>();
  private seenThisPass = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly warn: OddEntryWarn,
  ) {}

  /** Reports one odd entry seen in the current pass. */
  report(name: string, kind: EntryKind): void {
    this.seenThisPass.add(name);
    if (this.warned.get(name) === kind) return;
    this.warned.set(name, kind);
    this.warn(`${this.dir}/${name}: skipped, a ${kind} is not a regular file`);
  }

  /** Ends a full pass over the directory: entries not seen again are forgotten. */
  endPass(): void {
    for (const name of this.warned.keys()) if (!this.seenThisPass.has(name)) this.warned.delete(name);
    this.seenThisPass = new Set();
  }
}
