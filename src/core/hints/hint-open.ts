import fs from 'node:fs';
import { entryKind } from '../pool/odd-entries.js';
import { formatBytes, GIB } from '../units.js';
import { fileByteSource, type ByteSource } from './json-scanner.js';

/**
 * The largest hint file read: ten million entries of about 130 bytes (what
 * our generator writes; the Perl tools' pretty-printed files are larger)
 * come to 1.3 GB. Anything beyond is not a hint file the daemons could hold.
 */
export const MAX_HINT_FILE_BYTES = 4 * GIB;

/** The hint file cannot be used: not a JSON object, or not a regular file of sane size. The message names the file. */
export class HintFileError extends Error {}

export interface OpenHintFile {
  readonly file: string;
  readonly fd: number;
  readonly stat: fs.Stats;
  readonly maxBytes: number;
}

/**
 * Opens the hint file for reading. The path may be a symlink an
 * administrator set up, so it is followed; but what it names must be a
 * regular file of at most `maxBytes`: a FIFO there would block the open (and
 * with it the whole daemon, signals included), a device could do anything.
 * It is checked before the open (stat) and again on the open descriptor
 * (fstat: it may have been replaced in between); the open is non-blocking
 * so that even then it cannot hang. Throws HintFileError naming the file.
 */
function openHintFile(file: string, maxBytes = MAX_HINT_FILE_BYTES): OpenHintFile {
  checkHintStat(file, fs.statSync(file), maxBytes);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    checkHintStat(file, stat, maxBytes);
    return { file, fd, stat, maxBytes };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

function checkHintStat(file: string, stat: fs.Stats, maxBytes: number): void {
  const kind = entryKind(stat);
  if (kind !== 'file') throw new HintFileError(`${file}: not a regular file (a ${kind}); not read`);
  if (stat.size > maxBytes) throw new HintFileError(`${file}: ${formatBytes(stat.size)} is more than a hint file can be (${formatBytes(maxBytes)}); not read`);
}

/** Runs `use` with the open hint file, and closes it. */
export function withHintFile<T>(file: string, use: (open: OpenHintFile) => T, maxBytes = MAX_HINT_FILE_BYTES): T {
  const open = openHintFile(file, maxBytes);
  try {
    return use(open);
  } finally {
    fs.closeSync(open.fd);
  }
}

/** withHintFile for a `use` that reads the file over several turns of the event loop. */
export async function withHintFileAsync<T>(file: string, use: (open: OpenHintFile) => Promise<T>, maxBytes = MAX_HINT_FILE_BYTES): Promise<T> {
  const open = openHintFile(file, maxBytes);
  try {
    return await use(open);
  } finally {
    fs.closeSync(open.fd);
  }
}

/**
 * The bytes of an open hint file, in chunks, for the streaming reader; stops
 * with a HintFileError if the file grows past its limit while being read.
 */
export function hintByteSource({ file, fd, maxBytes }: OpenHintFile): ByteSource {
  const chunks = fileByteSource(fd);
  let readBytes = 0;
  return (room) => {
    const chunk = chunks(room);
    if (chunk === null) return null;
    readBytes += chunk.length;
    if (readBytes > maxBytes) throw new HintFileError(`${file}: grew past ${formatBytes(maxBytes)} while being read; not used`);
    return chunk;
  };
}
