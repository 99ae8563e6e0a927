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
const LIST_CHUNK_BYTES = 1 << 20;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Encodes `pathPrefix + p` for each p into a reused buffer of
 * LIST_CHUNK_BYTES and hands each full buffer to `write`: no string per
 * line and no string per chunk (100k lines took 80-110 ms of CPU as
 * strings joined and encoded per megabyte, about a third of it in GC).
 */
async function encodeLines(paths: Iterable<string>, pathPrefix: string, write: (bytes: Buffer) => Promise<unknown>): Promise<void> {
  const prefix = Buffer.from(pathPrefix, 'utf8');
  const chunk = Buffer.allocUnsafe(LIST_CHUNK_BYTES);
  let used = 0;
  for (const p of paths) {
    const most = prefix.length + p.length * MAX_UTF8_PER_UNIT + 1;
    if (used + most > chunk.length && used > 0) {
      await write(chunk.subarray(0, used));
      used = 0;
    }
    if (most > chunk.length) {
      await write(Buffer.from(`${pathPrefix}${p}\n`, 'utf8'));
      continue;
    }
    used += prefix.copy(chunk, used);
    used += chunk.write(p, used, 'utf8');
    chunk[used++] = 0x0a;
  }
  if (used > 0) await write(chunk.subarray(0, used));
}

/**
 * Like writeFileList, but takes the paths from an iterable (each line is
 * `pathPrefix` then the path) and writes them in chunks of about a
 * megabyte: a million-path list never becomes one string.
 */
export async function writeFileListFrom(dir: string, prefix: string, paths: Iterable<string>, pathPrefix = ''): Promise<string> {
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
      await encodeLines(paths, pathPrefix, async (bytes) => {
        // A write to a regular file may be short (a full filesystem): write the rest.
        for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      });
    } catch (error) {
      await handle.close();
      await fs.rm(file, { force: true });
      throw error;
    }
    await handle.close();
    return file;
  }
}
