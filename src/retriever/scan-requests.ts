import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { entryKind, isPnfsid, MAX_PNFSID_LENGTH, type EntryKind } from '../core/pool/index.js';

/** Synchronous stats per slice: a few milliseconds, then signals and watch events get their turn. */
const STAT_SLICE = 2000;

export interface RequestFileStat {
  readonly mtimeMs: number;
  readonly sizeBytes: number;
}

/**
 * A name in request/ that looks like a request but is skipped: not a regular
 * file (a symlink, directory, FIFO, socket), or hexadecimal but longer than
 * any pnfsid (`long-name`: no file name built from it would fit).
 */
export interface OddRequestEntry {
  readonly name: string;
  readonly problem: Exclude<EntryKind, 'file'> | 'long-name';
}

/** What one directory entry of request/ is: a request file, an odd entry, or nothing of ours (null). */
export type ListedEntry = { readonly name: string; readonly stat: RequestFileStat } | OddRequestEntry | null;

const HEX_NAME = /^[0-9A-Fa-f]+$/;

/** A request name (pnfsid), a hexadecimal name too long to be one, or anything else (`.err` files, temporaries). Pure. */
export function classifyRequestName(name: string): 'pnfsid' | 'long-name' | 'other' {
  if (isPnfsid(name)) return 'pnfsid';
  return name.length > MAX_PNFSID_LENGTH && HEX_NAME.test(name) ? 'long-name' : 'other';
}

/**
 * lstat of one request file: its stat, the kind of entry when it is not a
 * regular file (never followed: a symlink is a symlink), null when gone.
 * Synchronous on purpose: measured on 100,000 files, a loop of statSync
 * takes 0.22 s where 64 parallel fs.promises.stat take 0.8 s of CPU.
 */
export function lstatRequestEntry(dir: string, name: string): RequestFileStat | Exclude<EntryKind, 'file'> | null {
  const st = fs.lstatSync(`${dir}${path.sep}${name}`, { throwIfNoEntry: false });
  if (st === undefined) return null;
  const kind = entryKind(st);
  return kind === 'file' ? { mtimeMs: st.mtimeMs, sizeBytes: st.size } : kind;
}

/** lstat of one request file; null when it is gone or not a regular file. */
export function statRequestFile(dir: string, name: string): RequestFileStat | null {
  const entry = lstatRequestEntry(dir, name);
  return typeof entry === 'string' ? null : entry;
}

/**
 * Classifies one directory entry of request/. The Dirent's type costs
 * nothing; only a name the Dirent says is a file (or cannot tell) is
 * lstat-ed, for its mtime and size.
 */
export function classifyListedEntry(dir: string, entry: fs.Dirent): ListedEntry {
  const name = entry.name;
  const nameKind = classifyRequestName(name);
  if (nameKind === 'other') return null;
  if (nameKind === 'long-name') return { name, problem: 'long-name' };
  const direntKind = entryKind(entry);
  if (direntKind !== 'file' && direntKind !== 'unknown') return { name, problem: direntKind };
  const stat = lstatRequestEntry(dir, name);
  if (stat === null) return null;
  return typeof stat === 'string' ? { name, problem: stat } : { name, stat };
}

/**
 * A full listing of request/ (the reconciliation): every request file with
 * mtime and size, handed to `onFile`, every odd entry to `onOdd`. Costs
 * about what `find` does. The directory is read as a stream (opendir), not
 * as one array of a million names, and the work is cut into slices.
 */
export async function scanRequestDir(
  dir: string,
  onFile: (name: string, stat: RequestFileStat) => void,
  onOdd: (odd: OddRequestEntry) => void,
  signal?: AbortSignal,
): Promise<number> {
  const handle = fs.opendirSync(dir, { bufferSize: 4096 });
  let found = 0;
  try {
    for (let inSlice = 0; ; inSlice++) {
      const entry = handle.readSync();
      if (entry === null) break;
      if (inSlice >= STAT_SLICE) {
        inSlice = 0;
        await yieldToEvents();
        if (signal?.aborted === true) break;
      }
      const listed = classifyListedEntry(dir, entry);
      if (listed === null) continue;
      if ('problem' in listed) {
        onOdd(listed);
        continue;
      }
      onFile(listed.name, listed.stat);
      found++;
    }
  } finally {
    handle.closeSync();
  }
  return found;
}
