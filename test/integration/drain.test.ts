import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listObjects, readJournal } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, readStats, runProgram, startDaemon, waitFor, type TestPool } from './harness.js';

/** A pool whose daemons would not act on their own for a day: only a drain moves anything. */
function idlePool(scenario: unknown = {}): TestPool {
  const pool = createTestPool({ archiver_timeout: 86400, archiver_threshold1_usage: 1000, deleter_queueprocinterval: 'monthly' }, scenario);
  for (const sub of ['out', 'trash', 'trash/queue']) fs.mkdirSync(pool.path(sub), { recursive: true });
  return pool;
}

function fill(pool: TestPool, outIds: string[], trashIds: string[]): void {
  for (const id of outIds) fs.writeFileSync(pool.path('out', id), Buffer.alloc(2000));
  for (const id of trashIds) fs.writeFileSync(pool.path('trash', id), `osm://pool/?store=s&group=g&bfid=${id}`);
}

function entries(pool: TestPool, sub: string): string[] {
  return fs.readdirSync(pool.path(sub)).filter((name) => name !== 'queue');
}

describe('endit drain', () => {
  it('flushes out/ and processes the deletion queue at once, waits until they are empty and exits 0', async () => {
    const pool = idlePool();
    const flushed = [1, 2, 3].map(pnfsid);
    const removed = [7, 8].map(pnfsid);
    fill(pool, flushed, removed);
    startDaemon('archiver', pool);
    startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_pending_files'] === 3, 'archiver sees out/');
    await waitFor(() => entries(pool, 'trash').length === 0 && readStats(pool, 'deleter')?.['deleter_waiting_files'] === 2, 'deleter queued trash/');

    const { code, stdout, stderr } = await runProgram('endit', pool, ['drain', '--timeout', '60']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Sent SIGUSR1 to endit-archiver \(pid \d+\): flush everything in out\/ now$/m);
    expect(stdout).toMatch(/^Sent SIGUSR1 to endit-deleter \(pid \d+\): process the deletion queue now$/m);
    expect(stdout).toMatch(/^Drained: .*out, .*trash and .*trash\/queue are empty\.$/m);
    expect(code).toBe(0);
    expect(entries(pool, 'out')).toEqual([]);
    expect(entries(pool, 'trash/queue')).toEqual([]);
    expect(listObjects(pool.library).map((o) => o.id).sort()).toEqual(flushed);
    const deletes = readJournal(pool.library).filter((e) => e.event === 'start' && e.command === 'delete');
    expect(deletes).toHaveLength(1);
  });

  it('says at once that no archiver is running when out/ holds files, and exits 1', async () => {
    const pool = idlePool();
    fill(pool, [pnfsid(1), pnfsid(2)], []);
    fs.writeFileSync(pool.path('out', 'README'), 'not an id');
    const { code, stdout } = await runProgram('endit', pool, ['drain', '--timeout', '600']);
    expect(code).toBe(1);
    expect(stdout).toContain('Not drained: nothing can move what is left:');
    expect(stdout).toMatch(/out: 2 file\(s\) not yet on tape: no archiver running \(no live process holds .*\.endit-archiver\.lock\): start endit-archiver/);
    expect(stdout).toMatch(/out: 1 entry not named as a pnfsid \(the archiver ignores such names\): README; remove or move by hand/);
  });

  it('reports dsmc failing, with the last problem from the log, when the timeout passes', async () => {
    const pool = idlePool({ rules: [{ command: 'archive', action: 'fail', rc: 12, message: 'ANS1311E Server out of data storage space' }] });
    fill(pool, [pnfsid(1)], []);
    startDaemon('archiver', pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_pending_files'] === 1, 'archiver sees out/');
    const { code, stdout } = await runProgram('endit', pool, ['drain', '--timeout', '4']);
    expect(code).toBe(1);
    expect(stdout).toContain('Not drained after 4s:');
    expect(stdout).toMatch(/out: 1 file\(s\) not yet on tape: dsmc archive failing: 1 failed session\(s\) in a row.*; last: .*\[dsmc_failed\]/);
    expect(entries(pool, 'out')).toEqual([pnfsid(1)]);
  });

  it('has nothing to do in an empty pool', async () => {
    const pool = idlePool();
    const { code, stdout } = await runProgram('endit', pool, ['drain']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Drained: /);
  });
});
