// A library-wide lock for short critical sections (allocating object numbers and tape
// positions, counting journal starts, the drives' state). O_EXCL creation; the owner's pid inside lets a
// waiter break the lock of a process that was SIGKILLed while holding it.
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isErrno } from '../core/errors.js';

const LOCK_FILE = 'lock';
const GIVE_UP_MS = 60_000;
// A lock file still empty after this long belongs to a process killed between
// creating it and writing its pid.
const EMPTY_LOCK_STALE_MS = 2_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(durationMs: number): void {
  Atomics.wait(sleeper, 0, 0, durationMs);
}

/** Whether `pid` runs; a zombie (killed, not yet reaped by its parent) counts as dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...", comm may hold spaces and parentheses
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here: trust kill(0)
  }
}

function isStale(lockPath: string): boolean {
  try {
    const owner = readFileSync(lockPath, 'utf8');
    if (owner === '') return Date.now() - statSync(lockPath).mtimeMs > EMPTY_LOCK_STALE_MS;
    return !isAlive(Number(owner));
  } catch {
    return false; // gone already: just retry
  }
}

function breakLock(lockPath: string): void {
  // rename first: of several waiters breaking at once, only one wins the rename
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    renameSync(lockPath, aside);
    unlinkSync(aside);
  } catch {
    // someone else broke it
  }
}

function tryCreate(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

function acquire(lockPath: string): void {
  const startMs = Date.now();
  for (let attempt = 0; !tryCreate(lockPath); attempt += 1) {
    if (attempt % 20 === 19 && isStale(lockPath)) breakLock(lockPath);
    if (Date.now() - startMs > GIVE_UP_MS) throw new Error(`cannot lock ${lockPath}`);
    sleepSync(attempt < 10 ? 1 : 5);
  }
}

/** Runs `fn` while holding the library lock. Keep `fn` short and synchronous. */
export function withLock<T>(libraryDir: string, fn: () => T): T {
  const lockPath = join(libraryDir, LOCK_FILE);
  acquire(lockPath);
  try {
    return fn();
  } finally {
    unlinkSync(lockPath);
  }
}
