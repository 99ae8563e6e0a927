import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isPnfsid } from '../core/pool/index.js';
import { QUEUE_FILE_MAX_IDS, writeQueueFile } from './queue-file.js';

/** Trash files removed between two turns of the event loop (signals stay responsive). */
const UNLINK_SLICE = 10_000;
/** Directory entries read per getdents call. */
const DIR_BUFFER = 4096;

export interface TrashBatch {
  /** The queue file written. */
  readonly name: string;
  /** Its ids, all removed from trash/ by now (except unlinkFailures of them). */
  readonly ids: readonly string[];
}

export interface TrashQueued {
  readonly ids: number;
  readonly files: string[];
  /** Trash files that could not be removed (they will be queued again). */
  readonly unlinkFailures: number;
  readonly firstUnlinkError?: string;
}

/**
 * Removes trash files with synchronous unlink, in slices: in one directory the
 * kernel serializes unlinks anyway, and the thread pool only adds overhead.
 */
async function removeTrashFiles(trashDir: string, ids: readonly string[]): Promise<{ failures: number; first?: string }> {
  let failures = 0;
  let first: string | undefined;
  for (let start = 0; start < ids.length; start += UNLINK_SLICE) {
    const end = Math.min(ids.length, start + UNLINK_SLICE);
    for (let i = start; i < end; i++) {
      try {
        fs.unlinkSync(`${trashDir}/${ids[i] as string}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        failures++;
        first ??= (error as Error).message;
      }
    }
    if (end < ids.length) await yieldToEventLoop();
  }
  return first === undefined ? { failures } : { failures, first };
}

/**
 * Moves the ids in trash/ into new queue files (SPEC 7.1), streaming: the
 * directory is read in its own order (no sorting of a million names), and each
 * batch of QUEUE_FILE_MAX_IDS is written and flushed to disk before its trash
 * files are removed, so a crash in between may queue an id twice, never lose
 * one. An entry the listing misses while files are removed is found next cycle.
 */
export async function queueTrash(trashDir: string, queueDir: string, nowMs: number, onBatch?: (batch: TrashBatch) => void): Promise<TrashQueued> {
  const files: string[] = [];
  let ids = 0;
  let unlinkFailures = 0;
  let firstUnlinkError: string | undefined;
  const flush = async (batch: string[]): Promise<void> => {
    const name = await writeQueueFile(queueDir, batch, nowMs);
    files.push(name);
    ids += batch.length;
    const removed = await removeTrashFiles(trashDir, batch);
    unlinkFailures += removed.failures;
    firstUnlinkError ??= removed.first;
    onBatch?.({ name, ids: batch });
  };
  const dir = await fsp.opendir(trashDir, { bufferSize: DIR_BUFFER });
  let batch: string[] = [];
  for await (const entry of dir) {
    if (!isPnfsid(entry.name) || entry.isDirectory()) continue;
    batch.push(entry.name);
    if (batch.length >= QUEUE_FILE_MAX_IDS) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await flush(batch);
  return { ids, files, unlinkFailures, ...(firstUnlinkError === undefined ? {} : { firstUnlinkError }) };
}
