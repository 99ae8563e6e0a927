/**
 * Faults of the shared daemon shell (issue 10), shown with real daemon
 * processes: signals during start-up, the lock of a pool directory made
 * again, a FIFO as the override file, a log directory made again, crafted
 * session records and desc-short.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestPool, isAlive, logLines, pnfsid, readLog, readStats, runProgram, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

/** Records of sessions a previous run left, with no dsmc running: recovering them makes start-up take seconds. */
function plantOldSessionRecords(pool: TestPool, count: number): void {
  fs.mkdirSync(pool.path('requestlists'), { recursive: true });
  for (let i = 0; i < count; i++) fs.writeFileSync(pool.path('requestlists', `.archiver.tsm-archive-files.old${i}.session`), '');
}

function lockFile(pool: TestPool): string {
  return pool.path('.endit-archiver.lock');
}

function lockHolder(pool: TestPool): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(lockFile(pool), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

function outNames(pool: TestPool): string[] {
  return fs.readdirSync(pool.path('out')).sort();
}

/** TCP ports a process listens on (its socket inodes matched against the LISTEN rows of /proc/<pid>/net/tcp*). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const row of fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (state === '0A' && inode !== undefined && inodes.has(inode)) ports.push(Number.parseInt(local?.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

describe('fault 1: signals before the daemon is ready', () => {
  it('SIGUSR1 and SIGHUP during start-up neither open the inspector nor end the daemon; both are acted on once it is ready', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 });
    plantOldSessionRecords(pool, 2000);
    fs.mkdirSync(pool.path('out'));
    fs.writeFileSync(pool.path('out', pnfsid(1)), 'small: far below threshold 1');
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => logLines(pool, 'archiver', 'starting:').length === 1, 'start-up begun');
    daemon.child.kill('SIGUSR1');
    daemon.child.kill('SIGHUP');
    // Sent before start-up was done: the old sessions were not yet recovered.
    expect(logLines(pool, 'archiver', 'orphan_killed')).toEqual([]);

    await waitFor(() => logLines(pool, 'archiver', 'Got SIGHUP, reloading configuration').length === 1, 'the reload, once ready');
    await waitFor(() => outNames(pool).length === 0, 'the SIGUSR1 flush, once ready');
    expect(isAlive(daemon.pid)).toBe(true);
    expect(listeningPorts(daemon.pid)).toEqual([]);
    expect(daemon.stderr()).not.toMatch(/inspector|Debugger/i);
    const log = readLog(pool, 'archiver');
    expect(log.indexOf('Got SIGHUP')).toBeGreaterThan(log.lastIndexOf('orphan_killed'));
  });

  it('SIGTERM during start-up stops it cleanly: exit 0, lock released', async () => {
    const pool = createTestPool();
    plantOldSessionRecords(pool, 2000);
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => logLines(pool, 'archiver', 'starting:').length === 1, 'start-up begun');
    daemon.child.kill('SIGTERM');
    expect(logLines(pool, 'archiver', 'orphan_killed')).toEqual([]);
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(lockFile(pool))).toBe(false);
    expect(logLines(pool, 'archiver', 'Got SIGTERM while starting, stopping')).toHaveLength(1);
    expect(logLines(pool, 'archiver', 'endit-archiver stopped')).toHaveLength(1);
  });
});

describe('fault 7: the pool directory removed and made again', () => {
  it('the lock is taken back with a warning and the subdirectories made again, so a second archiver still cannot start', async () => {
    const pool = createTestPool({ sleeptime: 60 });
    const first = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'first started');
    fs.rmSync(pool.dir, { recursive: true });
    fs.mkdirSync(pool.dir);
    first.child.kill('SIGHUP'); // wakes it for its next cycle
    await waitFor(() => logLines(pool, 'archiver', '[lock_lost]').length === 1, 'lock taken back');
    expect(logLines(pool, 'archiver', '[lock_lost]')[0]).toContain(`${lockFile(pool)} was removed (pool directory made again?): taken again`);
    expect(lockHolder(pool)).toBe(first.pid);
    expect(fs.readdirSync(pool.dir).sort()).toEqual(['.endit-archiver.lock', 'in', 'out', 'request', 'requestlists', 'trash']);
    const second = await runProgram('endit-archiver', pool);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another endit process \(pid \d+\) holds/);
    expect(isAlive(first.pid)).toBe(true);
  });

  it('when a second archiver took the new pool directory first, the first one stops: never two on one pool', async () => {
    const pool = createTestPool({ sleeptime: 60 });
    const first = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'first started');
    fs.rmSync(pool.dir, { recursive: true });
    fs.mkdirSync(pool.dir);
    const second = startDaemon('archiver', pool);
    await waitFor(() => lockHolder(pool) === second.pid, 'second holds the new lock');
    first.child.kill('SIGHUP');
    expect(await first.exited).toEqual({ code: 1, signal: null });
    expect(logLines(pool, 'archiver', `Error: [lock_lost] ${lockFile(pool)} is held by pid ${second.pid} now`)).toHaveLength(1);
    expect(isAlive(second.pid)).toBe(true);
    expect(lockHolder(pool)).toBe(second.pid);
  });
});

describe('fault 12: a FIFO as the override file', () => {
  it('is refused with one line naming it; cycles go on and SIGTERM stops the daemon', async () => {
    const pool = createTestPool();
    execFileSync('mkfifo', [pool.overridePath]);
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => logLines(pool, 'archiver', '[override_unreadable]').length > 0, 'override refused');
    expect(logLines(pool, 'archiver', '[override_unreadable]')[0]).toContain(`${pool.overridePath}: not a regular file but a fifo`);
    await waitForStatsSeconds(pool, 'archiver', 2);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
  });
});

describe('fault 13: the log directory removed and made again', () => {
  it('logging goes to standard output while it is gone, then back to the file', async () => {
    const pool = createTestPool({ sleeptime: 60 });
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'started');
    fs.rmSync(pool.logdir, { recursive: true });
    await waitFor(() => {
      daemon.child.kill('SIGHUP');
      return daemon.stdout().includes('Got SIGHUP');
    }, 'a line on standard output while the log directory is gone');
    fs.mkdirSync(pool.logdir);
    await waitFor(() => {
      daemon.child.kill('SIGHUP');
      return readLog(pool, 'archiver').includes('Got SIGHUP');
    }, 'lines in the new log file');
    expect(isAlive(daemon.pid)).toBe(true);
  });
});

describe('faults 5 and 6 at start-up', () => {
  it('fault 6: a crafted .archiver..session in requestlists/ is warned about and ignored', async () => {
    const pool = createTestPool();
    fs.mkdirSync(pool.path('requestlists'));
    fs.writeFileSync(pool.path('requestlists', '.archiver..session'), '{}');
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'started');
    expect(logLines(pool, 'archiver', '[session_record_invalid]')).toEqual([
      expect.stringContaining(`${path.join(pool.dir, 'requestlists', '.archiver..session')}: not a session record name`),
    ]);
    expect(daemon.stderr()).toBe('');
  });

  it('fault 5: desc-short ../x is a one-line configuration error naming the key', async () => {
    const pool = createTestPool({ 'desc-short': '../x' });
    const run = await runProgram('endit-archiver', pool);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`endit-archiver: ${pool.configPath}: desc-short: invalid value '../x': expected letters, digits, '.', '_' and '-' only (not . or ..): it is used in file names\n`);
    expect(fs.readdirSync(path.dirname(pool.statsdir))).not.toContain('x-archiver-stats.json');
  });
});
