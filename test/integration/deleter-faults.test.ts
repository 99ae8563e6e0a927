/**
 * The deleter against a hostile or broken pool: odd entries (symlinks,
 * directories, FIFOs, sockets) in trash/ and trash/queue/, and temporary
 * files a crash left in trash/queue/.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { listObjects, readJournal, seedObjects, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readLog, readStats, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A listening unix socket at `at` (it stays until the test ends). */
async function plantSocket(at: string): Promise<void> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(at, resolve));
}

const plantFifo = (at: string): void => void execFileSync('mkfifo', [at]);

/** A test pool with trash/queue/ made (the daemon would make it at start). */
function poolWithQueue(): TestPool {
  const pool = createTestPool();
  fs.mkdirSync(pool.path('trash', 'queue'), { recursive: true });
  return pool;
}

function seed(pool: TestPool, ids: string[]): void {
  seedObjects(pool.library, ids.map((id) => ({ path: pool.path('out', id), sizeBytes: 1000 })));
}

const inLibrary = (pool: TestPool): Set<string> => new Set(listObjects(pool.library).map((o) => o.id));
const queueFiles = (pool: TestPool): string[] => fs.readdirSync(pool.path('trash', 'queue')).filter((n) => /^\d+$/.test(n) && fs.lstatSync(pool.path('trash', 'queue', n)).isFile());
const queuedIds = (pool: TestPool): string[] => queueFiles(pool).flatMap((n) => JSON.parse(fs.readFileSync(pool.path('trash', 'queue', n), 'utf8')) as string[]);
const deleteStarts = (pool: TestPool): JournalStartEntry[] =>
  readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'delete');
const exists = (at: string): boolean => {
  try {
    fs.lstatSync(at);
    return true;
  } catch {
    return false;
  }
};

describe('endit-deleter with odd entries', () => {
  it('fault 3: a symlink, directory, FIFO or socket in trash/ is skipped with one warning naming it, never queued, never removed', async () => {
    const pool = poolWithQueue();
    const plain = [pnfsid(1), pnfsid(2)];
    const [link, dir, fifo, socket] = [pnfsid(3), pnfsid(4), pnfsid(5), pnfsid(6)] as [string, string, string, string];
    seed(pool, [...plain, link, fifo]);
    const secret = path.join(pool.root, 'secret');
    fs.writeFileSync(secret, 'keep me');
    for (const id of plain) fs.writeFileSync(pool.path('trash', id), `osm://pool/?store=s&group=g&bfid=${id}`);
    fs.symlinkSync(secret, pool.path('trash', link));
    fs.mkdirSync(pool.path('trash', dir));
    plantFifo(pool.path('trash', fifo));
    await plantSocket(pool.path('trash', socket));

    const daemon = startDaemon('deleter', pool);
    await waitFor(() => plain.every((id) => !exists(pool.path('trash', id))), 'the plain trash files queued and removed');
    await waitForStatsSeconds(pool, 'deleter', 3); // a few more cycles list trash/ again
    expect(queuedIds(pool).sort()).toEqual(plain.sort());
    for (const id of [link, dir, fifo, socket]) expect(exists(pool.path('trash', id))).toBe(true);
    expect(fs.readlinkSync(pool.path('trash', link))).toBe(secret);
    expect(fs.readFileSync(secret, 'utf8')).toBe('keep me');
    const odd = logLines(pool, 'deleter', '[odd_entry]');
    expect(odd).toHaveLength(4);
    for (const [id, kind] of [[link, 'symlink'], [dir, 'directory'], [fifo, 'fifo'], [socket, 'socket']]) {
      expect(odd.filter((line) => line.includes(`trash/${id}: skipped, a ${kind} is not a regular file`))).toHaveLength(1);
    }

    daemon.child.kill('SIGUSR1');
    await waitFor(() => queueFiles(pool).length === 0, 'queue processed');
    expect(deleteStarts(pool).map((s) => s.ids?.sort())).toEqual([plain.sort()]);
    expect(inLibrary(pool)).toEqual(new Set([link, fifo]));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });

  it('fault 12: a directory, FIFO, symlink or socket in trash/queue/ is skipped with one warning; the other queue files are processed; SIGTERM still stops it', async () => {
    const pool = poolWithQueue();
    const queued = [pnfsid(11), pnfsid(12)];
    const elsewhere = pnfsid(13); // listed only in a file outside the pool
    seed(pool, [...queued, elsewhere]);
    const outside = path.join(pool.root, 'outside.json');
    fs.writeFileSync(outside, JSON.stringify([elsewhere]));
    const queue = (name: string): string => pool.path('trash', 'queue', name);
    fs.mkdirSync(queue('1000'));
    plantFifo(queue('1001'));
    fs.symlinkSync(outside, queue('1002'));
    await plantSocket(queue('1003'));
    fs.writeFileSync(queue('1004'), `${JSON.stringify(queued)}\n`);

    const daemon = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'deleter') !== null, 'first stats (start-up did not hang)');
    expect(readStats(pool, 'deleter')).toMatchObject({ deleter_waiting_files: 2, deleter_queue_files: 1 });
    daemon.child.kill('SIGUSR1');
    await waitFor(() => !exists(queue('1004')), 'the good queue file processed');
    expect(deleteStarts(pool).map((s) => s.ids?.sort())).toEqual([queued.sort()]);
    expect(inLibrary(pool)).toEqual(new Set([elsewhere]));
    await waitForStatsSeconds(pool, 'deleter', 2);
    for (const name of ['1000', '1001', '1002', '1003']) expect(exists(queue(name))).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe(JSON.stringify([elsewhere]));
    const odd = logLines(pool, 'deleter', '[odd_entry]');
    for (const [name, kind] of [['1000', 'directory'], ['1001', 'fifo'], ['1002', 'symlink'], ['1003', 'socket']]) {
      expect(odd.filter((line) => line.includes(`queue/${name}: skipped, a ${kind} is not a regular file`))).toHaveLength(1);
    }
    expect(odd).toHaveLength(4);
    expect(readLog(pool, 'deleter')).not.toMatch(/queue_unreadable|queue_processing_failed/);

    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
  it('fault 12: a FIFO named like a queue file hangs neither start-up nor SIGTERM', async () => {
    const pool = poolWithQueue();
    const queued = [pnfsid(14)];
    seed(pool, queued);
    plantFifo(pool.path('trash', 'queue', '1000'));
    fs.writeFileSync(pool.path('trash', 'queue', '1001'), `${JSON.stringify(queued)}\n`);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_waiting_files'] === 1, 'the queue counted past the FIFO', 10_000);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    expect(logLines(pool, 'deleter', '[odd_entry]')).toEqual([expect.stringContaining('queue/1000: skipped, a fifo is not a regular file')]);
  });
});

describe('endit-deleter and temporary files in trash/queue/', () => {
  it('fault 15: temporary queue files a crash left are removed at start; other names stay', async () => {
    const pool = poolWithQueue();
    const queue = (name: string): string => pool.path('trash', 'queue', name);
    const leftovers = ['.1700000000.0123456789ab.tmp', '.1700000001.a1b2c3d4e5f6.tmp'];
    const others = ['.1700000000.tmp', '.notes.0123456789ab.tmp', '1700000002.0123456789ab.tmp', 'README'];
    for (const name of [...leftovers, ...others]) fs.writeFileSync(queue(name), '["0000AB');
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'deleter') !== null, 'first stats');
    for (const name of leftovers) expect(exists(queue(name))).toBe(false);
    for (const name of others) expect(exists(queue(name))).toBe(true);
    expect(readLog(pool, 'deleter')).toMatch(/Removed 2 temporary files a crash left in .*trash\/queue/);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});
