import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { entryKind } from './pool/odd-entries.js';
import { formatBytes } from './units.js';

/** The most read of a configuration, override, lock or record file: far more than any real one holds. */
const MAX_SMALL_FILE_BYTES = 1 << 20;

export interface RegularFileReadOptions {
  readonly maxBytes?: number;
  /** Refuse a symlink at the name itself (files in directories others may write to). */
  readonly noFollow?: boolean;
}

/** The file is a FIFO, a directory, a device…: it is never read (a FIFO would block forever). */
export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
}

/** The file holds more than the cap: not what it should be. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
}

/** Non-blocking, so that opening a FIFO returns at once; fstat then refuses it. */
function openFlags(options: RegularFileReadOptions): number {
  const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
  return O_RDONLY | O_NONBLOCK | (options.noFollow === true ? O_NOFOLLOW : 0);
}

function checkRegular(stat: fs.Stats): void {
  if (!stat.isFile()) throw new NotRegularFileError(`not a regular file but a ${entryKind(stat)}`);
}

const CHUNK_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): FileTooLargeError {
  return new FileTooLargeError(`larger than ${formatBytes(maxBytes)}`);
}

/**
 * Reads a small regular file as UTF-8 without ever blocking on a FIFO or
 * reading without end from a device: opened non-blocking, checked with fstat,
 * at most `maxBytes` read. Errors name the problem; callers name the file.
 */
export function readRegularFileSync(file: string, options: RegularFileReadOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_SMALL_FILE_BYTES;
  const fd = fs.openSync(file, openFlags(options));
  try {
    checkRegular(fs.fstatSync(fd));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const length = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (length === 0) break;
      total += length;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk.subarray(0, length));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** The async readRegularFileSync, with the modification time of the file read (from the same open file). */
export async function readRegularFile(file: string, options: RegularFileReadOptions = {}): Promise<{ text: string; mtimeMs: number }> {
  const maxBytes = options.maxBytes ?? MAX_SMALL_FILE_BYTES;
  const handle = await fsp.open(file, openFlags(options));
  try {
    const stat = await handle.stat();
    checkRegular(stat);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { buffer, bytesRead } = await handle.read(Buffer.allocUnsafe(CHUNK_BYTES), 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return { text: Buffer.concat(chunks, total).toString('utf8'), mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}
