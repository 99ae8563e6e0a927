import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isErrno } from '../errors.js';

/** `tsm-archive-files.XXXXXX` style name: prefix, dot, six random characters. */
export function fileListName(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(6);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${prefix}.${suffix}`;
}

/** Writes one absolute path per line into a new file in `dir`; returns its path. */
export async function writeFileList(dir: string, prefix: string, paths: readonly string[]): Promise<string> {
  for (;;) {
    const file = path.join(dir, fileListName(prefix));
    try {
      await fs.writeFile(file, paths.length === 0 ? '' : `${paths.join('\n')}\n`, { flag: 'wx', mode: 0o644 });
      return file;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  }
}

/** Bytes gathered before each write when a list is written from an iterable. */
const LIST_CHUNK_CHARS = 1 << 20;

/**
 * Like writeFileList, but takes the paths from an iterable and writes them in
 * chunks of about a megabyte: a million-path list never becomes one string.
 */
export async function writeFileListFrom(dir: string, prefix: string, paths: Iterable<string>): Promise<string> {
  for (;;) {
    const file = path.join(dir, fileListName(prefix));
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'wx', 0o644);
    } catch (error) {
      if (isErrno(error, 'EEXIST')) continue;
      throw error;
    }
    try {
      let chunk: string[] = [];
      let chars = 0;
      for (const p of paths) {
        chunk.push(p);
        chars += p.length + 1;
        if (chars >= LIST_CHUNK_CHARS) {
          await handle.write(`${chunk.join('\n')}\n`);
          chunk = [];
          chars = 0;
        }
      }
      if (chunk.length > 0) await handle.write(`${chunk.join('\n')}\n`);
    } catch (error) {
      await handle.close();
      await fs.rm(file, { force: true });
      throw error;
    }
    await handle.close();
    return file;
  }
}
