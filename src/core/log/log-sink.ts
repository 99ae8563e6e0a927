import fs from 'node:fs';
import { entryKind } from '../pool/odd-entries.js';

/** Where log lines go: a file that is reopened after rotation, or standard output. */
export interface LogSink {
  write(line: string): void;
  close(): void;
}

function writeStdout(line: string): void {
  fs.writeSync(1, line);
}

export function createStdoutSink(): LogSink {
  return {
    write: writeStdout,
    close: () => {},
  };
}

/** How often the sink looks whether logrotate moved the file away. */
const ROTATION_CHECK_MS = 1000;

/**
 * Append, create if missing; never through a symlink planted at the log's
 * name (O_NOFOLLOW), never blocking on a FIFO there (O_NONBLOCK; fstat then
 * refuses anything but a regular file).
 */
const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

interface OpenLog {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
}

function openLog(path: string): OpenLog {
  const fd = fs.openSync(path, APPEND_FLAGS, 0o644);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path}: not a regular file but a ${entryKind(stat)}`);
    return { fd, dev: stat.dev, ino: stat.ino };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** Whether `path` still names the file we hold open (not rotated away, removed or replaced). */
function stillNames(path: string, log: OpenLog): boolean {
  try {
    const stat = fs.lstatSync(path);
    return stat.ino === log.ino && stat.dev === log.dev;
  } catch {
    return false;
  }
}

/**
 * Appends to `path`, reopening it when it was renamed or removed (logrotate
 * without copytruncate), or when its directory was removed and made again.
 * Writes are synchronous so that a line logged just before a crash is on
 * disk. While the file cannot be opened, lines go to `fallback` (standard
 * output) and the next check, a second later, tries again. Throws at once
 * if the file cannot be opened now.
 */
export function createFileSink(path: string, nowMs: () => number = Date.now, fallback: (line: string) => void = writeStdout): LogSink {
  // null while closed: an fd number is given up exactly once, since another file may get it next.
  let log: OpenLog | null = openLog(path);
  let checkedAtMs = nowMs();

  const closeLog = (): void => {
    if (log === null) return;
    const { fd } = log;
    log = null;
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing to do: the number is ours no more either way.
    }
  };

  const reopenIfMoved = (): void => {
    const now = nowMs();
    if (now - checkedAtMs < ROTATION_CHECK_MS && now >= checkedAtMs) return;
    checkedAtMs = now;
    if (log !== null && !stillNames(path, log)) closeLog();
    if (log !== null) return;
    try {
      log = openLog(path);
    } catch {
      // The directory may be gone for now: standard output until the next check.
    }
  };

  return {
    write: (line) => {
      reopenIfMoved();
      if (log === null) {
        fallback(line);
        return;
      }
      try {
        fs.writeSync(log.fd, line);
      } catch {
        // The log must never take the daemon down; standard output is the fallback.
        fallback(line);
      }
    },
    close: closeLog,
  };
}
