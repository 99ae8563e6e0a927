import fs from 'node:fs';

/** Where log lines go: a file that is reopened after rotation, or standard output. */
export interface LogSink {
  write(line: string): void;
  close(): void;
}

export function createStdoutSink(): LogSink {
  return {
    write: (line) => {
      fs.writeSync(1, line);
    },
    close: () => {},
  };
}

/** How often the sink looks whether logrotate moved the file away. */
const ROTATION_CHECK_MS = 1000;

/**
 * Appends to `path`, reopening it when it was renamed or removed (logrotate
 * without copytruncate). Writes are synchronous so that a line logged just
 * before a crash is on disk.
 */
export function createFileSink(path: string, nowMs: () => number = Date.now): LogSink {
  let fd = fs.openSync(path, 'a', 0o644);
  let ino = fs.fstatSync(fd).ino;
  let checkedAtMs = nowMs();

  const reopenIfRotated = (): void => {
    const now = nowMs();
    if (now - checkedAtMs < ROTATION_CHECK_MS && now >= checkedAtMs) return;
    checkedAtMs = now;
    let currentIno: number | undefined;
    try {
      currentIno = fs.statSync(path).ino;
    } catch {
      currentIno = undefined;
    }
    if (currentIno === ino) return;
    fs.closeSync(fd);
    fd = fs.openSync(path, 'a', 0o644);
    ino = fs.fstatSync(fd).ino;
  };

  return {
    write: (line) => {
      try {
        reopenIfRotated();
        fs.writeSync(fd, line);
      } catch {
        // The log must never take the daemon down; standard output is the fallback.
        fs.writeSync(1, line);
      }
    },
    close: () => {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    },
  };
}
