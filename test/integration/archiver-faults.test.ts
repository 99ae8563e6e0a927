import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { listObjects, readJournal, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, isAlive, logLines, pnfsid, readStats, REPO_ROOT, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** Puts files into out/ like dCache does. */
function flush(pool: TestPool, ids: string[], sizeBytes: number): void {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  for (const id of ids) fs.writeFileSync(pool.path('out', id), Buffer.alloc(sizeBytes, 1));
}

function archiveStarts(pool: TestPool): JournalStartEntry[] {
  return readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'archive');
}

/** Copies of `id` in the fake tape library. */
function copies(pool: TestPool, id: string): number {
  return listObjects(pool.library).filter((o) => o.id === id).length;
}

describe('endit-archiver faults', () => {
  it('fault 3: a symlink in out/ to a file outside the pool is never in a dsmc list; one odd_entry warning names it', async () => {
    const pool = createTestPool({ archiver_timeout: 1 });
    const secret = path.join(pool.root, 'passwd');
    fs.writeFileSync(secret, 'root:x:0:0::/root:/bin/sh\n');
    const link = pnfsid(1);
    fs.mkdirSync(pool.path('out'));
    fs.symlinkSync(secret, pool.path('out', link));
    const real = pnfsid(2);
    flush(pool, [real], 100);
    startDaemon('archiver', pool);
    await waitFor(() => copies(pool, real) === 1, 'the real file archived');
    await waitForStatsSeconds(pool, 'archiver', 3);
    for (const start of archiveStarts(pool)) expect(start.ids).not.toContain(link);
    expect(copies(pool, link)).toBe(0);
    expect(fs.readlinkSync(pool.path('out', link))).toBe(secret);
    const warnings = logLines(pool, 'archiver', '[odd_entry]');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${pool.path('out', link)}: skipped, a symlink is not a regular file`);
    expect(readStats(pool, 'archiver')?.['archiver_usage_files']).toBe(0);
  });
});

function outNames(pool: TestPool): string[] {
  return fs.readdirSync(pool.path('out')).filter((name) => !name.startsWith('.')).sort();
}

/** Lines of the archiver's session journals in requestlists/. */
function sessionJournalLines(pool: TestPool): string[] {
  const dir = pool.path('requestlists');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('.archiver-sent.'))
    .flatMap((name) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n'));
}

/**
 * Starts the archiver as nobody, so that it cannot remove files that root
 * owns in a sticky out/ (as when dCache's user and the archiver's differ).
 * The harness kills it after the test: its command line names the pool.
 */
function startArchiverAsNobody(pool: TestPool): { pid: number; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'endit-archiver'), '--config', pool.configPath], {
    env: { ...process.env, ...pool.env },
    uid: NOBODY,
    gid: NOBODY,
    stdio: 'ignore',
  });
  return { pid: child.pid as number, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

/** Everything in the test's root belongs to nobody but out/ and its files: root's, in a sticky world-writable out/. */
function handOverToNobody(pool: TestPool): void {
  for (const entry of fs.readdirSync(pool.root, { recursive: true, withFileTypes: true })) {
    fs.lchownSync(path.join(entry.parentPath, entry.name), NOBODY, NOBODY);
  }
  fs.chownSync(pool.root, NOBODY, NOBODY);
  fs.chownSync(pool.path('out'), 0, 0);
  fs.chmodSync(pool.path('out'), 0o1777);
  for (const name of fs.readdirSync(pool.path('out'))) fs.chownSync(pool.path('out', name), 0, 0);
}

describe('fault 2: a file dsmc sent but could not remove is never archived again', () => {
  it('(a) dsmc exits 8 with [Sent] and ANS4007E for each file: one copy each, the archiver removes them, no retry session', async () => {
    const pool = createTestPool({ archiver_timeout: 1, archiver_retrytimeout: 1 }, { rules: [{ command: 'archive', action: 'sent-not-deleted' }] });
    const ids = [11, 12, 13].map(pnfsid);
    flush(pool, ids, 1000);
    startDaemon('archiver', pool);
    await waitFor(() => outNames(pool).length === 0, 'out/ emptied');
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_flushed_files'] === 3, 'three counted as flushed');
    await waitForStatsSeconds(pool, 'archiver', 4); // archiver_retrytimeout passed a few times over
    for (const id of ids) expect(copies(pool, id), id).toBe(1);
    expect(archiveStarts(pool)).toHaveLength(1);
    expect(logLines(pool, 'archiver', 'removed by the archiver (dsmc could not)')).toHaveLength(1);
    expect(readStats(pool, 'archiver')?.['archiver_held_files']).toBe(0);
    expect(fs.readdirSync(pool.path('requestlists')).filter((name) => name.startsWith('.archiver-sent.'))).toEqual([]);
  });

  it.skipIf(!isRoot)('(a) when the archiver cannot remove them either they are held: one archive_not_deleted each, no second copy, also after a restart; released once removable', async () => {
    const pool = createTestPool({ archiver_timeout: 1, archiver_retrytimeout: 1 }, { rules: [{ command: 'archive', action: 'sent-not-deleted' }] });
    const ids = [21, 22].map(pnfsid);
    flush(pool, ids, 1000);
    handOverToNobody(pool);
    const first = startArchiverAsNobody(pool);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_held_files'] === 2, 'two files held');
    await waitForStatsSeconds(pool, 'archiver', 4);
    expect(archiveStarts(pool)).toHaveLength(1);
    for (const id of ids) expect(copies(pool, id), id).toBe(1);
    expect(outNames(pool)).toEqual(ids);
    const held = logLines(pool, 'archiver', '[archive_not_deleted]');
    expect(held).toHaveLength(2);
    for (const id of ids) expect(held.filter((line) => line.includes(`${pool.path('out', id)}: dsmc archived it`))).toHaveLength(1);

    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const second = startArchiverAsNobody(pool);
    await waitFor(() => logLines(pool, 'archiver', '[archive_not_deleted]').length === 4, 'held again after the restart');
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_held_files'] === 2, 'two held after the restart');
    await waitForStatsSeconds(pool, 'archiver', 3);
    expect(archiveStarts(pool)).toHaveLength(1);

    // Permissions fixed: SIGUSR1 tries the held files at once.
    for (const id of ids) fs.chownSync(pool.path('out', id), NOBODY, NOBODY);
    expect(isAlive(second.pid)).toBe(true);
    process.kill(second.pid, 'SIGUSR1');
    await waitFor(() => outNames(pool).length === 0, 'held files removed once removable');
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_held_files'] === 0, 'none held');
    expect(archiveStarts(pool)).toHaveLength(1);
  });

  it('(b) the archiver SIGKILLed after dsmc sent files but before removing them, restarted: still one copy each', async () => {
    const pool = createTestPool(
      { archiver_timeout: 1, archiver_retrytimeout: 1 },
      // 100 bytes take 0.1 s, the last file 100 s: the archiver is killed while dsmc works on it.
      { rules: [{ command: 'archive', times: 1, action: 'sent-not-deleted', bytesPerSecond: 1000 }] },
    );
    const [a, b, c] = [31, 32, 33].map(pnfsid) as [string, string, string];
    flush(pool, [a, b], 100);
    flush(pool, [c], 100_000);
    const nowSec = Date.now() / 1000;
    [a, b, c].forEach((id, i) => fs.utimesSync(pool.path('out', id), nowSec - 100 + i, nowSec - 100 + i)); // list order a, b, c
    const first = startDaemon('archiver', pool);
    await waitFor(() => [a, b].every((id) => sessionJournalLines(pool).includes(`C ${id}`)), 'dsmc reported a and b sent and not removed');
    expect(sessionJournalLines(pool).filter((line) => line.startsWith('S '))).toHaveLength(2);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(outNames(pool)).toEqual([a, b, c]);

    startDaemon('archiver', pool);
    await waitFor(() => outNames(pool).length === 0, 'out/ emptied after the restart');
    for (const id of [a, b, c]) expect(copies(pool, id), id).toBe(1);
    expect(archiveStarts(pool)).toHaveLength(2);
    expect(archiveStarts(pool)[1]?.ids).toEqual([c]);
    expect(logLines(pool, 'archiver', 'Removed 2 files from out/ that dsmc had archived before the restart')).toHaveLength(1);
  });

  it('(b) a new file under the name of one journaled as sent is archived', async () => {
    const pool = createTestPool(
      { archiver_timeout: 1, archiver_retrytimeout: 1 },
      { rules: [{ command: 'archive', times: 1, action: 'sent-not-deleted', bytesPerSecond: 1000 }] },
    );
    const [a, c] = [41, 43].map(pnfsid) as [string, string];
    flush(pool, [a], 100);
    flush(pool, [c], 100_000);
    const nowSec = Date.now() / 1000;
    fs.utimesSync(pool.path('out', a), nowSec - 100, nowSec - 100);
    const first = startDaemon('archiver', pool);
    await waitFor(() => sessionJournalLines(pool).includes(`C ${a}`), 'dsmc reported a sent and not removed');
    first.child.kill('SIGKILL');
    await first.exited;
    // dCache flushes a new file under that name (another inode, size and mtime).
    fs.rmSync(pool.path('out', a));
    flush(pool, [a], 200);

    startDaemon('archiver', pool);
    await waitFor(() => outNames(pool).length === 0, 'out/ emptied after the restart');
    expect(listObjects(pool.library).filter((o) => o.id === a).map((o) => o.sizeBytes)).toEqual([100, 200]);
  });
});
