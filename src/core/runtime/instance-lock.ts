import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readRegularFileSync } from '../regular-file.js';
import { errorMessage, isErrno } from '../errors.js';
import { isProcessAlive, processStartTicks } from './proc.js';

export class LockHeldError extends Error {
  constructor(readonly lockPath: string, readonly holderPid: number) {
    super(`another endit process (pid ${holderPid}) holds ${lockPath}: only one per pool and daemon may run`);
  }
}

interface LockContent {
  readonly pid: number;
  readonly startTicks?: string;
}

/**
 * Which file a name pointed to. A file made again may get the freed inode
 * number back, but not the same change time to the nanosecond.
 */
interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly ctimeNs: bigint;
}

function identityOf(file: string): FileIdentity {
  const { dev, ino, ctimeNs } = fs.lstatSync(file, { bigint: true });
  return { dev, ino, ctimeNs };
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.ctimeNs === b.ctimeNs;
}

/** What a look at the lock found. */
export type LockCheck =
  | { readonly kind: 'held' }
  /** It was removed (the pool directory made again?) or replaced by a dead holder's, and is ours again. */
  | { readonly kind: 'retaken'; readonly why: 'removed' | 'replaced' }
  /** Another live process holds it now: the pool is that one's. */
  | { readonly kind: 'lost'; readonly holderPid: number }
  /** It is gone and cannot be taken again now (e.g. the pool directory is missing). */
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface InstanceLock {
  readonly file: string;
  /** Cheap (one lstat) while all is well: whether this process still holds its lock; takes it back when it can. */
  check(): LockCheck;
  /** Removes the lock if it is still this process's one. */
  release(): void;
}

/** `<dir>/.endit-<daemon>.lock`: the lock file of one daemon on one pool. */
export function lockPath(poolDir: string, daemon: string): string {
  return path.join(poolDir, `.endit-${daemon}.lock`);
}

/** Never through a symlink, never blocking on a FIFO: anything odd there counts as a garbage lock. */
function readLock(file: string): LockContent | null {
  try {
    const parsed = JSON.parse(readRegularFileSync(file, { noFollow: true, maxBytes: 4096 })) as Partial<LockContent>;
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

const ownStartTicks = processStartTicks(process.pid);

function ownContent(): LockContent {
  return { pid: process.pid, ...(ownStartTicks === undefined ? {} : { startTicks: ownStartTicks }) };
}

/** Another live process than this one. */
function otherLiveHolder(content: LockContent | null): content is LockContent {
  return content !== null && content.pid !== process.pid && holderIsAlive(content);
}

function isOwn(content: LockContent | null): boolean {
  return content !== null && content.pid === process.pid && content.startTicks === ownStartTicks;
}

/** The pid that holds the lock, if that process is alive (for `endit status`). */
export function readLockHolder(file: string): number | null {
  const content = readLock(file);
  return content !== null && holderIsAlive(content) ? content.pid : null;
}

/**
 * This process's lock content in a new file next to the lock, under a random
 * name created with O_EXCL: a symlink planted there is never followed.
 */
function writeTempLock(file: string): string {
  for (let attempt = 0; ; attempt++) {
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    let fd: number;
    try {
      fd = fs.openSync(temp, 'wx', 0o644);
    } catch (error) {
      if (isErrno(error, 'EEXIST') && attempt < 10) continue;
      throw error;
    }
    try {
      fs.writeSync(fd, `${JSON.stringify(ownContent())}\n`);
      return temp;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Creates the lock with link(), which fails if the name exists, so two
 * daemons starting together cannot both win. A lock left by a dead process
 * (or garbage) is taken over.
 */
function takeLock(file: string): FileIdentity {
  const temp = writeTempLock(file);
  try {
    linkLock(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  // Only now: removing the temporary name changed the link count, and with it the change time.
  return identityOf(file);
}

function linkLock(temp: string, file: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.linkSync(temp, file);
      return;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const holder = readLock(file);
    if (otherLiveHolder(holder)) throw new LockHeldError(file, holder.pid);
    fs.rmSync(file, { force: true });
  }
  throw new Error(`could not take ${file}: it keeps changing`);
}

/** Takes the exclusive lock of one daemon on one pool; throws LockHeldError while another live process holds it. */
export function acquireInstanceLock(file: string): InstanceLock {
  let identity = takeLock(file);

  const retake = (why: 'removed' | 'replaced'): LockCheck => {
    try {
      identity = takeLock(file);
      return { kind: 'retaken', why };
    } catch (error) {
      if (error instanceof LockHeldError) return { kind: 'lost', holderPid: error.holderPid };
      return { kind: 'unavailable', reason: errorMessage(error) };
    }
  };

  return {
    file,
    check: () => {
      let now: FileIdentity;
      try {
        now = identityOf(file);
      } catch (error) {
        return isErrno(error, 'ENOENT') ? retake('removed') : { kind: 'unavailable', reason: errorMessage(error) };
      }
      if (sameFile(now, identity)) return { kind: 'held' };
      // Changed: what it says decides (our own content, only touched, stays ours).
      const holder = readLock(file);
      if (isOwn(holder)) {
        identity = now;
        return { kind: 'held' };
      }
      return otherLiveHolder(holder) ? { kind: 'lost', holderPid: holder.pid } : retake('replaced');
    },
    release: () => {
      try {
        if (sameFile(identityOf(file), identity) || isOwn(readLock(file))) fs.rmSync(file, { force: true });
      } catch {
        // Gone already.
      }
    },
  };
}
