/**
 * The deletion queue: `trash/queue/<unix time>`, each a JSON array of
 * pnfsids, as the Perl deleter wrote and reads them. A file is written to a
 * temporary name, flushed to disk and linked into place, never replacing an
 * existing one (a taken second moves to the next free one).
 */
import { constants as fsConstants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { entryKind, isPnfsid, type EntryKind } from '../core/pool/index.js';
import { formatBytes } from '../core/units.js';
import { writeFileAtomicNoReplace } from '../core/stats/index.js';
import { errorMessage, isErrno } from '../core/errors.js';

const QUEUE_NAME = /^\d+$/;
/** Seconds tried after a taken one before giving up. */
const MAX_NAME_TRIES = 10_000;
/** Never follow a symlink, never wait for a FIFO's writer. */
const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;
const READ_CHUNK_BYTES = 64 * 1024;

export function isQueueFileName(name: string): boolean {
  return QUEUE_NAME.test(name);
}

/** The ids of a queue file, or why it is corrupt. Pure. */
export function parseQueueText(text: string): string[] | { readonly error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON (${errorMessage(error)})` };
  }
  if (!Array.isArray(parsed)) return { error: 'not a JSON array' };
  for (const id of parsed) {
    if (typeof id !== 'string' || !isPnfsid(id)) return { error: `not a pnfsid: ${JSON.stringify(id).slice(0, 80)}` };
  }
  return parsed as string[];
}

export function formatQueueText(ids: readonly string[]): string {
  return `${JSON.stringify(ids)}\n`;
}

/** An entry of trash/queue/ named like a queue file that is not a regular file. */
interface OddQueueEntry {
  readonly name: string;
  readonly kind: EntryKind;
}

interface QueueListing {
  /** Regular files named like queue files, oldest first. */
  readonly names: string[];
  /** Directories, symlinks, FIFOs, sockets… named like queue files: never opened. */
  readonly odd: OddQueueEntry[];
}

/** Queue file names, oldest first, and what is named like one but is no regular file (from the listing's types, no stat). */
export async function listQueueFiles(queueDir: string): Promise<QueueListing> {
  const names: string[] = [];
  const odd: OddQueueEntry[] = [];
  for (const entry of await fs.readdir(queueDir, { withFileTypes: true })) {
    if (!isQueueFileName(entry.name)) continue;
    const kind = entryKind(entry);
    if (kind === 'file') names.push(entry.name);
    else odd.push({ name: entry.name, kind });
  }
  names.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  return { names, odd };
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `ids` (or a queue file's bytes as formatQueueText gives them) as a
 * new queue file named by the unix time of `nowMs`, or the next free second;
 * the file and the directory entry are on disk when this returns. Returns
 * the name.
 */
export async function writeQueueFile(queueDir: string, ids: readonly string[] | Uint8Array, nowMs: number): Promise<string> {
  const content = ids instanceof Uint8Array ? ids : formatQueueText(ids);
  const first = Math.floor(nowMs / 1000);
  for (let second = first; second < first + MAX_NAME_TRIES; second++) {
    const name = String(second);
    try {
      await writeFileAtomicNoReplace(path.join(queueDir, name), content, { fsync: true });
    } catch (error) {
      if (isErrno(error, 'EEXIST')) continue;
      throw error;
    }
    await syncDir(queueDir);
    return name;
  }
  throw new Error(`${queueDir}: no free queue file name from ${first} on`);
}

/** Ids per queue file: more would make one JSON text of tens of megabytes. */
export const QUEUE_FILE_MAX_IDS = 100_000;

/** Writes `ids` in as many queue files as needed (QUEUE_FILE_MAX_IDS each); returns their names and sizes. */
export async function writeQueueFiles(queueDir: string, ids: readonly string[], nowMs: number): Promise<Array<{ name: string; ids: number }>> {
  const written: Array<{ name: string; ids: number }> = [];
  for (let start = 0; start < ids.length; start += QUEUE_FILE_MAX_IDS) {
    const batch = ids.slice(start, start + QUEUE_FILE_MAX_IDS);
    written.push({ name: await writeQueueFile(queueDir, batch, nowMs), ids: batch.length });
  }
  return written;
}

/** Moves a corrupt queue file aside as `<name>.bad` (`.bad.2`, … if taken); never deletes it. Returns the new name. */
export async function setAsideQueueFile(queueDir: string, name: string): Promise<string> {
  const from = path.join(queueDir, name);
  for (let n = 1; n < 1000; n++) {
    const aside = n === 1 ? `${name}.bad` : `${name}.bad.${n}`;
    try {
      await fs.link(from, path.join(queueDir, aside));
    } catch (error) {
      if (isErrno(error, 'EEXIST')) continue;
      throw error;
    }
    await removeQueueFiles(queueDir, [name]);
    return aside;
  }
  throw new Error(`${from}: cannot find a free name to set it aside`);
}

interface QueueFileRead {
  readonly name: string;
  readonly ids: string[];
}

export interface CorruptQueueFile {
  readonly name: string;
  readonly error: string;
}

/** What reading one queue file found. */
export type QueueFileResult =
  | { readonly kind: 'read'; readonly file: QueueFileRead }
  | { readonly kind: 'corrupt'; readonly corrupt: CorruptQueueFile }
  | { readonly kind: 'odd'; readonly odd: OddQueueEntry }
  | { readonly kind: 'gone' };

/**
 * Far more than any queue file holds (QUEUE_FILE_MAX_IDS ids are about 4 MiB;
 * the Perl deleter wrote one file per minute): a larger one is set aside
 * rather than read into memory.
 */
const QUEUE_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** Reads at most `maxBytes` from `handle` (`sizeBytes` by its fstat, it may have grown); null if there is more. */
async function readAtMost(handle: FileHandle, sizeBytes: number, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  let wantBytes = Math.min(sizeBytes, maxBytes) + 1;
  for (;;) {
    const chunk = Buffer.allocUnsafe(wantBytes);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    // Usually one read got it all (the fstat size): no copy of megabytes then.
    if (bytesRead === 0) return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return null;
    wantBytes = Math.min(READ_CHUNK_BYTES, maxBytes + 1 - total);
  }
}

/** What `file` is (lstat, never following a symlink); null if it is gone. */
async function kindOf(file: string): Promise<EntryKind | null> {
  try {
    return entryKind(await fs.lstat(file));
  } catch {
    return null;
  }
}

/**
 * Reads one queue file without following a symlink or blocking on a FIFO
 * (O_NOFOLLOW|O_NONBLOCK), and only if it is a regular file of at most
 * `maxBytes`: what the listing said may have changed since.
 */
export async function readQueueFile(queueDir: string, name: string, maxBytes = QUEUE_FILE_MAX_BYTES): Promise<QueueFileResult> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path.join(queueDir, name), READ_FLAGS);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'gone' };
    // ELOOP (a symlink), ENXIO (a socket): no regular file, say what it is.
    const kind = await kindOf(path.join(queueDir, name));
    if (kind !== 'file' && kind !== null) return { kind: 'odd', odd: { name, kind } };
    throw error;
  }
  try {
    const stat = await handle.stat();
    const kind = entryKind(stat);
    if (kind !== 'file') return { kind: 'odd', odd: { name, kind } };
    const content = stat.size > maxBytes ? null : await readAtMost(handle, stat.size, maxBytes);
    if (content === null) return { kind: 'corrupt', corrupt: { name, error: `larger than ${formatBytes(maxBytes)}` } };
    const parsed = parseQueueText(content.toString('utf8'));
    return Array.isArray(parsed) ? { kind: 'read', file: { name, ids: parsed } } : { kind: 'corrupt', corrupt: { name, error: parsed.error } };
  } finally {
    await handle.close();
  }
}

/** Removes processed queue files (already gone is fine); a symlink is removed itself, never followed. */
export async function removeQueueFiles(queueDir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await fs.unlink(path.join(queueDir, name));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
}

/**
 * The temporary name writeQueueFile writes to before linking it into place
 * (`.<unix time>.<12 hex digits>.tmp`, see writeFileAtomicNoReplace).
 */
const QUEUE_TEMP_NAME = /^\.\d+\.[0-9a-f]{12}\.tmp$/;

export function isQueueTempName(name: string): boolean {
  return QUEUE_TEMP_NAME.test(name);
}

/**
 * Removes the temporary files of queue file writes a crash interrupted
 * (regular files with exactly that name pattern, nothing else); returns their names.
 */
export async function removeQueueTemps(queueDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await fs.readdir(queueDir, { withFileTypes: true })) {
    if (!isQueueTempName(entry.name) || !entry.isFile()) continue;
    try {
      await fs.unlink(path.join(queueDir, entry.name));
      removed.push(entry.name);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  return removed;
}
