import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, processStartTicks } from './proc.js';
import { isErrno } from '../errors.js';

export class LockHeldError extends Error {
  constructor(readonly lockPath: string, readonly holderPid: number) {
    super(`another endit process (pid ${holderPid}) holds ${lockPath}: only one per pool and daemon may run`);
  }
}

interface LockContent {
  readonly pid: number;
  readonly startTicks?: string;
}

/** `<dir>/.endit-<daemon>.lock`: the lock file of one daemon on one pool. */
export function lockPath(poolDir: string, daemon: string): string {
  return path.join(poolDir, `.endit-${daemon}.lock`);
}

function readLock(file: string): LockContent | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? (parsed as LockContent) : { pid: 0 };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    return { pid: 0 };
  }
}

function holderIsAlive(content: LockContent): boolean {
  if (!isProcessAlive(content.pid)) return false;
  // The pid may have been reused by an unrelated process since the holder died.
  return content.startTicks === undefined || processStartTicks(content.pid) === content.startTicks;
}

/** The pid that holds the lock, if that process is alive (for `endit status`). */
export function readLockHolder(file: string): number | null {
  const content = readLock(file);
  return content !== null && holderIsAlive(content) ? content.pid : null;
}

/**
 * Takes the exclusive lock of one daemon on one pool. A lock left by a dead
 * process is taken over. The file is created with link(), which fails if it
 * exists, so two daemons starting together cannot both win.
 */
export function acquireInstanceLock(file: string): () => void {
  const startTicks = processStartTicks(process.pid);
  const content: LockContent = { pid: process.pid, ...(startTicks === undefined ? {} : { startTicks }) };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(content)}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(temp, file);
        return () => releaseLock(file);
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const holder = readLock(file);
      if (holder !== null && holderIsAlive(holder)) throw new LockHeldError(file, holder.pid);
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not take ${file}: it keeps changing`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function releaseLock(file: string): void {
  const holder = readLock(file);
  if (holder?.pid === process.pid) fs.rmSync(file, { force: true });
}
