import fs from 'node:fs/promises';
import path from 'node:path';
import { isPnfsid } from './pnfsid.js';

export interface PoolFile {
  readonly name: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
}

/** Parallel stats in flight: enough to keep libuv's threads busy, bounded for memory. */
const STAT_CONCURRENCY = 64;

/** The hexadecimal names in `dir` (others are ignored: dot files, `.err`, temporaries). */
export async function listPnfsids(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir);
  return names.filter(isPnfsid);
}

/**
 * Lists hexadecimal regular files of `dir` with size and mtime. A file that
 * vanishes between listing and stat is simply not reported.
 */
export async function scanPoolDir(dir: string, names?: readonly string[]): Promise<PoolFile[]> {
  const todo = names ?? (await listPnfsids(dir));
  const out: PoolFile[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const name = todo[next++] as string;
      try {
        const st = await fs.stat(path.join(dir, name));
        if (st.isFile()) out.push({ name, sizeBytes: st.size, mtimeMs: st.mtimeMs });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, todo.length) }, worker));
  return out;
}
