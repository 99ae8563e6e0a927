import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { isPnfsid } from '../core/pool/index.js';

/** Synchronous stats per slice: a few milliseconds, then signals and watch events get their turn. */
const STAT_SLICE = 2000;

export interface RequestFileStat {
  readonly mtimeMs: number;
  readonly sizeBytes: number;
}

/**
 * lstat of one request file; null when it is gone or not a regular file.
 * Synchronous on purpose: measured on 100,000 files, a loop of statSync
 * takes 0.22 s where 64 parallel fs.promises.stat take 0.8 s of CPU.
 */
export function statRequestFile(dir: string, name: string): RequestFileStat | null {
  const st = fs.lstatSync(`${dir}${path.sep}${name}`, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return null;
  return { mtimeMs: st.mtimeMs, sizeBytes: st.size };
}

/**
 * A full listing of request/ (the reconciliation): every hexadecimal name
 * with mtime and size, handed to `onFile`. Costs about what `find` does.
 * The directory is read as a stream (opendir), not as one array of a
 * million names, and the work is cut into slices.
 */
export async function scanRequestDir(dir: string, onFile: (name: string, stat: RequestFileStat) => void): Promise<number> {
  const handle = fs.opendirSync(dir, { bufferSize: 4096 });
  let found = 0;
  try {
    for (let inSlice = 0; ; inSlice++) {
      const entry = handle.readSync();
      if (entry === null) break;
      if (inSlice >= STAT_SLICE) {
        inSlice = 0;
        await yieldToEvents();
      }
      if (!isPnfsid(entry.name) || entry.isDirectory()) continue;
      const stat = statRequestFile(dir, entry.name);
      if (stat === null) continue;
      onFile(entry.name, stat);
      found++;
    }
  } finally {
    handle.closeSync();
  }
  return found;
}
