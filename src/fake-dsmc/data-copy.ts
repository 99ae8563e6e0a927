// Writes a retrieved object into its destination: progressively, in chunks paced by the
// drive speed, so a reader can watch a partial file grow (as with real dsmc).
import { closeSync, constants, copyFileSync, ftruncateSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode } from '../core/errors.js';

export interface CopyRequest {
  /** The object's data file; undefined for sparse objects (zeros). */
  sourcePath: string | undefined;
  destPath: string;
  /** Bytes to write: the object's size, or a wrong one on purpose. */
  targetBytes: number;
  /** Fail with 'exists' instead of overwriting (-replace=no). */
  exclusive: boolean;
  bytesPerSecond: number;
  /** Called before each paced sleep (to flush output). */
  beforeSleep: () => void;
}

export type CopyResult = 'written' | 'exists' | 'missing';

const MAX_CHUNK_BYTES = 1024 * 1024;

/** A size that is certainly wrong: half, or one byte off for tiny objects. Pure. */
export function planWrongSize(sizeBytes: number): number {
  if (sizeBytes <= 1) return 1 - sizeBytes;
  return Math.floor(sizeBytes / 2);
}

/** Chunk size for pacing: about a tenth of a second of transfer. Pure. */
export function planChunkBytes(bytesPerSecond: number): number {
  return Math.max(1, Math.min(MAX_CHUNK_BYTES, Math.floor(bytesPerSecond / 10)));
}

function errorCode(error: unknown): string | undefined {
  return errnoCode(error);
}

function copyAtOnce(request: CopyRequest): void {
  const flags = request.exclusive ? 'wx' : 'w';
  if (request.sourcePath === undefined) {
    const fd = openSync(request.destPath, flags);
    try {
      ftruncateSync(fd, request.targetBytes);
    } finally {
      closeSync(fd);
    }
    return;
  }
  copyFileSync(request.sourcePath, request.destPath, request.exclusive ? constants.COPYFILE_EXCL : 0);
  truncateSync(request.destPath, request.targetBytes);
}

async function copyPaced(request: CopyRequest): Promise<void> {
  const sourceFd = request.sourcePath === undefined ? undefined : openSync(request.sourcePath, 'r');
  try {
    const destFd = openSync(request.destPath, request.exclusive ? 'wx' : 'w');
    try {
      await pump(request, sourceFd, destFd);
    } finally {
      closeSync(destFd);
    }
  } finally {
    if (sourceFd !== undefined) closeSync(sourceFd);
  }
}

async function pump(request: CopyRequest, sourceFd: number | undefined, destFd: number): Promise<void> {
  const chunk = Buffer.alloc(planChunkBytes(request.bytesPerSecond));
  for (let offset = 0; offset < request.targetBytes; ) {
    const length = Math.min(chunk.length, request.targetBytes - offset);
    chunk.fill(0, 0, length); // bytes past the source's end (a "too long" file) read as zeros
    if (sourceFd !== undefined) readSync(sourceFd, chunk, 0, length, offset);
    writeSync(destFd, chunk, 0, length, offset);
    offset += length;
    request.beforeSleep();
    await sleep((length * 1000) / request.bytesPerSecond);
  }
}

/** Copies one object; reports an existing destination or vanished data instead of throwing. */
export async function copyObjectData(request: CopyRequest): Promise<CopyResult> {
  try {
    if (request.bytesPerSecond > 0) await copyPaced(request);
    else copyAtOnce(request);
    return 'written';
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return 'exists';
    if (code === 'ENOENT' && request.sourcePath !== undefined) return 'missing';
    throw error;
  }
}
