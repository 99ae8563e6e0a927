import fs from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isPnfsid } from './pnfsid.js';

export interface PoolFile {
  readonly name: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
}

/**
 * Synchronous stats between two turns of the event loop. Measured on a
 * million files on ext4: a loop of statSync costs 1.5 s, 64 parallel
 * fs.promises.stat 7.3 s (promise and thread-pool overhead per file).
 */
const STAT_SLICE = 5000;
/** Directory entries read between two turns of the event loop. */
const LIST_SLICE = 20_000;

/**
 * The hexadecimal names in `dir` in directory order, not sorted. About three
 * times faster than `readdir` (libuv sorts what it lists): 0.3 s instead of
 * 0.9 s for a million names.
 */
export async function readPnfsids(dir: string): Promise<string[]> {
  const handle = await fs.promises.opendir(dir, { bufferSize: 1024 });
  const names: string[] = [];
  try {
    for (;;) {
      for (let i = 0; i < LIST_SLICE; i++) {
        const entry = handle.readSync();
        if (entry === null) return names;
        if (isPnfsid(entry.name)) names.push(entry.name);
      }
      await yieldToEventLoop();
    }
  } finally {
    await handle.close();
  }
}

/**
 * Size and mtime of one name in `dir`; null when it is gone or not a regular
 * file. `lstat`, never `stat`: a symlink is not followed (a planted
 * `out/<id> -> /etc/shadow` must not go to tape); it costs the same. `name`
 * must be a checked pnfsid: it is appended to `dir` as it is (path.join would
 * normalize a million times for nothing).
 */
export function statPoolFile(dir: string, name: string): PoolFile | null {
  const st = fs.lstatSync(`${dir}/${name}`, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return null;
  return { name, sizeBytes: st.size, mtimeMs: st.mtimeMs };
}

/**
 * Lists hexadecimal regular files of `dir` with size and mtime (of `names`
 * when given, in their order). A file that vanishes between listing and stat
 * is simply not reported.
 */
export async function scanPoolDir(dir: string, names?: readonly string[]): Promise<PoolFile[]> {
  const todo = names ?? (await readPnfsids(dir));
  const out: PoolFile[] = [];
  for (let start = 0; start < todo.length; start += STAT_SLICE) {
    const end = Math.min(todo.length, start + STAT_SLICE);
    for (let i = start; i < end; i++) {
      const file = statPoolFile(dir, todo[i] as string);
      if (file !== null) out.push(file);
    }
    if (end < todo.length) await yieldToEventLoop();
  }
  return out;
}
