/**
 * The deletion queue: `trash/queue/<unix time>`, each a JSON array of
 * pnfsids, as the Perl deleter wrote and reads them. A file is written to a
 * temporary name, flushed to disk and linked into place, never replacing an
 * existing one (a taken second moves to the next free one).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isPnfsid } from '../core/pool/index.js';
import { writeFileAtomicNoReplace } from '../core/stats/index.js';
import { errorMessage, isErrno } from '../core/errors.js';

const QUEUE_NAME = /^\d+$/;
/** Seconds tried after a taken one before giving up. */
const MAX_NAME_TRIES = 10_000;

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

/** Queue file names, oldest first. */
export async function listQueueFiles(queueDir: string): Promise<string[]> {
  const names = (await fs.readdir(queueDir)).filter(isQueueFileName);
  return names.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
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
 * Writes `ids` as a new queue file named by the unix time of `nowMs`, or the
 * next free second; the file and the directory entry are on disk when this
 * returns. Returns the name.
 */
export async function writeQueueFile(queueDir: string, ids: readonly string[], nowMs: number): Promise<string> {
  const content = formatQueueText(ids);
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
    await fs.rm(from, { force: true });
    return aside;
  }
  throw new Error(`${from}: cannot find a free name to set it aside`);
}

export interface QueueFileRead {
  readonly name: string;
  readonly ids: string[];
}

export interface CorruptQueueFile {
  readonly name: string;
  readonly error: string;
}

/** Reads the named queue files; a file gone meanwhile is skipped, a corrupt one reported. */
export async function readQueueFiles(queueDir: string, names: readonly string[]): Promise<{ files: QueueFileRead[]; corrupt: CorruptQueueFile[] }> {
  const files: QueueFileRead[] = [];
  const corrupt: CorruptQueueFile[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await fs.readFile(path.join(queueDir, name), 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) continue;
      throw error;
    }
    const parsed = parseQueueText(text);
    if (Array.isArray(parsed)) files.push({ name, ids: parsed });
    else corrupt.push({ name, error: parsed.error });
  }
  return { files, corrupt };
}

/** Removes processed queue files (already gone is fine). */
export async function removeQueueFiles(queueDir: string, names: readonly string[]): Promise<void> {
  for (const name of names) await fs.rm(path.join(queueDir, name), { force: true });
}
