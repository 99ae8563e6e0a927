import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { promtoolProblems } from '../promtool-check.js';
import { listObjects, readJournal } from '../../src/fake-dsmc/library.js';
import {
  createTestPool,
  hasCommand,
  isAlive,
  pnfsid,
  promPath,
  readLog,
  readStats,
  runProgram,
  startDaemon,
  waitFor,
  type TestPool,
} from './harness.js';

const MIB = 1024 * 1024;

/** Puts files into out/ like dCache does (sparse: sizes can be large at no cost). */
function flush(pool: TestPool, ids: string[], sizeBytes: number): void {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  for (const id of ids) {
    const file = pool.path('out', id);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, sizeBytes);
  }
}

function outNames(pool: TestPool): string[] {
  return fs.readdirSync(pool.path('out')).sort();
}

function archiveStarts(pool: TestPool): number {
  return readJournal(pool.library).filter((e) => e.event === 'start' && e.command === 'archive').length;
}

/** Each id exactly once in the library. */
function expectEachOnce(pool: TestPool, ids: string[]): void {
  const objects = listObjects(pool.library);
  for (const id of ids) expect(objects.filter((o) => o.id === id), id).toHaveLength(1);
}

describe('endit-archiver', () => {
  it('flushes files over threshold 1 in one session, each once, and counts them', async () => {
    const pool = createTestPool({ archiver_threshold1_usage: 1, archiver_timeout: 86400 });
    const ids = [1, 2, 3].map(pnfsid);
    flush(pool, ids, 400 * MIB);
    startDaemon('archiver', pool);
    await waitFor(() => outNames(pool).length === 0, 'out/ emptied');
    expectEachOnce(pool, ids);
    expect(archiveStarts(pool)).toBe(1);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_flushed_files'] === 3, 'stats count 3 flushed');
    expect(readStats(pool, 'archiver')?.['archiver_flushed_bytes']).toBe(1200 * MIB);
    const log = readLog(pool, 'archiver');
    expect(log).toMatch(/Starting archive session ENDIT-\S+: 3 files/);
    for (const id of ids) expect(log).toContain(`Archived ${id}`);
  });

  it('flushes a small file after archiver_timeout', async () => {
    const pool = createTestPool({ archiver_timeout: 2 });
    startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'first stats');
    flush(pool, [pnfsid(7)], 1000);
    await waitFor(() => outNames(pool).length === 0, 'timeout flush');
    expect(readLog(pool, 'archiver')).toMatch(/archiver_timeout/);
    expectEachOnce(pool, [pnfsid(7)]);
  });

  it('flushes at once on SIGUSR1, ignoring thresholds and timers', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 });
    const daemon = startDaemon('archiver', pool);
    flush(pool, [pnfsid(8)], 1000);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_usage_files'] === 1, 'file seen');
    expect(outNames(pool)).toEqual([pnfsid(8)]);
    daemon.child.kill('SIGUSR1');
    await waitFor(() => outNames(pool).length === 0, 'SIGUSR1 flush');
    expect(readLog(pool, 'archiver')).toMatch(/SIGUSR1/);
  });

  it('leaves files of a failed session (rc 12, ANS1311E) in out/ and flushes them once after archiver_retrytimeout', async () => {
    const pool = createTestPool(
      { archiver_timeout: 86400, archiver_retrytimeout: 2 },
      { rules: [{ command: 'archive', times: 1, action: 'fail', rc: 12, message: 'ANS1311E Server out of data storage space' }] },
    );
    const ids = [11, 12].map(pnfsid);
    flush(pool, ids, 5000);
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_usage_files'] === 2, 'files seen');
    daemon.child.kill('SIGUSR1');
    await waitFor(() => /ANS1311E/.test(readLog(pool, 'archiver')), 'failure logged');
    expect(outNames(pool)).toEqual(ids);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_flush_retries'] === 2, 'retries counted');
    await waitFor(() => outNames(pool).length === 0, 'retried flush');
    expect(readLog(pool, 'archiver')).toMatch(/archiver_retrytimeout/);
    expect(archiveStarts(pool)).toBe(2);
    expectEachOnce(pool, ids);
    expect(readLog(pool, 'archiver')).toMatch(/Warning: \[dsmc_failed\]/);
  });

  it('applies an override at once on SIGHUP and keeps running; rejects an invalid one', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 });
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'started');
    fs.writeFileSync(pool.overridePath, JSON.stringify({ archiver_timeout: 'abc' }));
    daemon.child.kill('SIGHUP');
    await waitFor(() => /override_rejected/.test(readLog(pool, 'archiver')), 'invalid override rejected');
    expect(readLog(pool, 'archiver')).not.toMatch(/Conf: Changed: archiver_timeout/);
    fs.writeFileSync(pool.overridePath, JSON.stringify({ archiver_timeout: 1 }));
    daemon.child.kill('SIGHUP');
    await waitFor(() => /Conf: Changed: archiver_timeout 86400 -> 1/.test(readLog(pool, 'archiver')), 'override applied');
    flush(pool, [pnfsid(21)], 100);
    await waitFor(() => outNames(pool).length === 0, 'flushed under the overridden timeout');
    expect(isAlive(daemon.pid)).toBe(true);
  });

  it('stops within 10 s on SIGTERM while dsmc ignores SIGTERM: dsmc killed, list removed, files kept', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 }, { rules: [{ command: 'archive', action: 'hang', ignoreSigterm: true }] });
    flush(pool, [pnfsid(31)], 100);
    const daemon = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_usage_files'] === 1, 'file seen');
    daemon.child.kill('SIGUSR1');
    await waitFor(() => archiveStarts(pool) === 1, 'dsmc started');
    const dsmcPid = readJournal(pool.library).find((e) => e.event === 'start')?.pid as number;
    expect(isAlive(dsmcPid)).toBe(true);
    const stoppedAt = Date.now();
    daemon.child.kill('SIGTERM');
    const { code } = await daemon.exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(isAlive(dsmcPid)).toBe(false);
    expect(fs.readdirSync(pool.path('requestlists'))).toEqual([]);
    expect(outNames(pool)).toEqual([pnfsid(31)]);
  });

  it('after a SIGKILL of the daemon mid-session, the restart kills the orphaned dsmc first; every file reaches tape once', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 }, { rules: [{ command: 'archive', times: 1, action: 'hang', ignoreSigterm: true }] });
    const ids = [41, 42, 43].map(pnfsid);
    flush(pool, ids, 100);
    const first = startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_usage_files'] === 3, 'files seen');
    first.child.kill('SIGUSR1');
    await waitFor(() => archiveStarts(pool) === 1, 'dsmc started');
    const orphan = readJournal(pool.library).find((e) => e.event === 'start')?.pid as number;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(orphan)).toBe(true);

    const second = startDaemon('archiver', pool);
    await waitFor(() => /orphan_killed/.test(readLog(pool, 'archiver')), 'orphan recovery logged');
    expect(isAlive(orphan)).toBe(false);
    second.child.kill('SIGUSR1');
    await waitFor(() => outNames(pool).length === 0, 'flushed after restart');
    expectEachOnce(pool, ids);
    // The orphan was dead before the new session started.
    const starts = readJournal(pool.library).filter((e) => e.event === 'start');
    expect(starts).toHaveLength(2);
  });

  it('refuses a second archiver on the same pool', async () => {
    const pool = createTestPool();
    startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null, 'first started');
    const second = await runProgram('endit-archiver', pool);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/another endit process \(pid \d+\) holds .*\.endit-archiver\.lock/);
  });

  it.skipIf(!hasCommand('promtool'))('writes a .prom file that passes promtool check metrics', async () => {
    const pool = createTestPool();
    startDaemon('archiver', pool);
    await waitFor(() => fs.existsSync(promPath(pool, 'archiver')), '.prom written');
    const text = fs.readFileSync(promPath(pool, 'archiver'));
    expect(promtoolProblems(text)).toEqual([]);
    expect(text.toString()).toMatch(/^endit_archiver_usage_bytes\{hsm="testpool"\} 0$/m);
  });

  it('writes a sample config and exits non-zero when the config file is missing', async () => {
    const pool = createTestPool();
    fs.rmSync(pool.configPath);
    const result = await runProgram('endit-archiver', pool);
    expect(result.code).not.toBe(0);
    const samplePath = /(\/\S*endit\.conf\.sample\.[\w-]+)/.exec(result.stderr)?.[1];
    expect(samplePath, result.stderr).toBeDefined();
    const sample = fs.readFileSync(samplePath as string, 'utf8');
    expect(sample).toMatch(/archiver_threshold1_usage/);
    fs.rmSync(samplePath as string);
  });

  it('exits non-zero with one line naming sleeptime for sleeptime: abc', async () => {
    const pool = createTestPool({ sleeptime: 'abc' });
    const result = await runProgram('endit-archiver', pool);
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/sleeptime/);
    expect(lines[0]).toMatch(/abc/);
    expect(lines[0]).toContain(pool.configPath);
  });
});
