import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promtoolProblems } from '../promtool-check.js';
import { listObjects, readJournal, seedObjects, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, hasCommand, isAlive, pnfsid, promPath, readLog, readStats, runProgram, startDaemon, waitFor, type TestPool } from './harness.js';

function queueFiles(pool: TestPool): string[] {
  return fs.readdirSync(pool.path('trash', 'queue')).filter((n) => /^\d+$/.test(n));
}

function trashIds(pool: TestPool): string[] {
  return fs.readdirSync(pool.path('trash')).filter((n) => /^[0-9A-F]+$/i.test(n));
}

function queuedIds(pool: TestPool): string[] {
  return queueFiles(pool).flatMap((n) => JSON.parse(fs.readFileSync(pool.path('trash', 'queue', n), 'utf8')) as string[]);
}

function seed(pool: TestPool, ids: string[], volume?: string): void {
  seedObjects(pool.library, ids.map((id) => ({ path: pool.path('out', id), sizeBytes: 1000, ...(volume === undefined ? {} : { volume }) })));
}

function trash(pool: TestPool, ids: string[]): void {
  fs.mkdirSync(pool.path('trash', 'queue'), { recursive: true });
  for (const id of ids) fs.writeFileSync(pool.path('trash', id), `osm://pool/?store=s&group=g&bfid=${id}`);
}

function inLibrary(pool: TestPool): Set<string> {
  return new Set(listObjects(pool.library).map((o) => o.id));
}

function deleteStarts(pool: TestPool): JournalStartEntry[] {
  return readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'delete');
}

describe('endit-deleter', () => {
  it('queues trash into one queue file; SIGUSR1 deletes from tape, an unknown id counting as deleted; the .prom passes promtool', async () => {
    const pool = createTestPool();
    const ids = [pnfsid(1), pnfsid(2), pnfsid(3)];
    const unknown = pnfsid(99);
    seed(pool, ids);
    trash(pool, [...ids, unknown]);
    fs.writeFileSync(pool.path('trash', '.not-an-id'), '');
    const daemon = startDaemon('deleter', pool);

    await waitFor(() => trashIds(pool).length === 0, 'trash/ emptied');
    expect(queueFiles(pool)).toHaveLength(1);
    expect(queuedIds(pool).sort()).toEqual([...ids, unknown].sort());
    expect(fs.existsSync(pool.path('trash', '.not-an-id'))).toBe(true);
    expect(deleteStarts(pool)).toHaveLength(0); // monthly schedule: nothing yet
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_queued_files'] === 4, 'queued figure');
    expect(readStats(pool, 'deleter')).toMatchObject({ deleter_waiting_files: 4, deleter_queue_files: 1, deleter_deleted_files: 0 });

    daemon.child.kill('SIGUSR1');
    await waitFor(() => queueFiles(pool).length === 0, 'queue emptied');
    for (const id of ids) expect(inLibrary(pool).has(id)).toBe(false);
    const starts = deleteStarts(pool);
    expect(starts).toHaveLength(1);
    expect(starts[0]?.ids?.sort()).toEqual([...ids, unknown].sort());
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_deleted_files'] === 4, 'deleted figure counts the unknown id');
    expect(readStats(pool, 'deleter')).toMatchObject({ deleter_waiting_files: 0, deleter_failed_runs: 0, deleter_lastrun_success: 1, deleter_busyworkers: 0 });
    expect(readStats(pool, 'deleter')?.['deleter_nextrun_time']).toBeGreaterThan(Date.now() / 1000);
    expect(readLog(pool, 'deleter')).toMatch(/Successfully deleted 4 files/);
    // the file list is gone once the session has ended
    expect(fs.readdirSync(pool.path('requestlists')).filter((n) => n.startsWith('tsm-delete-files'))).toEqual([]);

    if (hasCommand('promtool')) {
      // the .prom is written just after the JSON
      await waitFor(() => /^endit_deleter_deleted_files\{hsm="testpool"\} 4$/m.test(fs.readFileSync(promPath(pool, 'deleter'), 'utf8')), '.prom updated');
      const prom = fs.readFileSync(promPath(pool, 'deleter'));
      expect(promtoolProblems(prom)).toEqual([]);
    }

    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });

  it('a session failing with another message keeps its ids queued; they go on a later cycle', async () => {
    const pool = createTestPool({}, { rules: [{ command: 'delete', action: 'fail', times: 1, rc: 12, message: 'ANS1017E Session rejected: TCP/IP connection failure' }] });
    const ids = [pnfsid(11), pnfsid(12)];
    seed(pool, ids);
    trash(pool, ids);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => queueFiles(pool).length === 1 && trashIds(pool).length === 0, 'queued');
    daemon.child.kill('SIGUSR1');

    await waitFor(() => deleteStarts(pool).length >= 2, 'a second delete session (the retry)');
    await waitFor(() => queueFiles(pool).length === 0 && readStats(pool, 'deleter')?.['deleter_deleted_files'] === 2, 'queue emptied by the retry');
    const journal = readJournal(pool.library);
    const ends = journal.filter((e) => e.event === 'end' && e.command === 'delete');
    expect(ends.map((e) => (e.event === 'end' ? e.rc : null))).toEqual([12, 0]);
    // the retry sent exactly the ids the failed session left queued
    expect(deleteStarts(pool).map((s) => s.ids?.sort())).toEqual([ids.sort(), ids.sort()]);
    expect(inLibrary(pool).size).toBe(0);
    const log = readLog(pool, 'deleter');
    expect(log).toMatch(/\[dsmc_message\] dsmc delete archive: ANS1017E/);
    expect(log).toMatch(/\[dsmc_failed\] .*deleted 0 of 2 files, 2 stay queued/);
    expect(readStats(pool, 'deleter')).toMatchObject({ deleter_failed_runs: 1, deleter_lastrun_success: 1, deleter_backoff_failures: 0 });
    expect(readStats(pool, 'deleter')?.['deleter_errors_dsmc_failed']).toBe(1);
  });

  it('a corrupt queue file is set aside as .bad, and the rest of the queue is processed', async () => {
    const pool = createTestPool();
    const ids = [pnfsid(21), pnfsid(22)];
    seed(pool, ids);
    fs.mkdirSync(pool.path('trash', 'queue'), { recursive: true });
    fs.writeFileSync(pool.path('trash', 'queue', '1000'), '["0000ABC", "00');
    fs.writeFileSync(pool.path('trash', 'queue', '1001'), `${JSON.stringify(ids)}\n`);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => fs.existsSync(pool.path('trash', 'queue', '1000.bad')), '1000.bad');
    expect(fs.readFileSync(pool.path('trash', 'queue', '1000.bad'), 'utf8')).toBe('["0000ABC", "00');
    await waitFor(() => readStats(pool, 'deleter') !== null, 'first stats');
    daemon.child.kill('SIGUSR1');
    await waitFor(() => queueFiles(pool).length === 0, 'queue processed');
    expect(inLibrary(pool).size).toBe(0);
    expect(fs.existsSync(pool.path('trash', 'queue', '1000.bad'))).toBe(true);
    expect(readLog(pool, 'deleter')).toMatch(/Error: \[queue_file_corrupt\] queue file .*1000 is corrupt \(not valid JSON.*moved aside as 1000\.bad/);
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_deleted_files'] === 2, 'deleted figure');
    expect(readStats(pool, 'deleter')?.['deleter_errors_queue_file_corrupt']).toBe(1);
  });

  it('stopped during a session (SIGTERM), it kills dsmc and leaves the queue as it was', async () => {
    const pool = createTestPool({}, { rules: [{ command: 'delete', action: 'hang' }] });
    const ids = [pnfsid(71), pnfsid(72)];
    seed(pool, ids);
    trash(pool, ids);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => queueFiles(pool).length === 1 && trashIds(pool).length === 0, 'queued');
    const before = queueFiles(pool);
    daemon.child.kill('SIGUSR1');
    await waitFor(() => deleteStarts(pool).length === 1, 'delete session started');
    const dsmcPid = deleteStarts(pool)[0]?.pid as number;
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    expect(isAlive(dsmcPid)).toBe(false);
    expect(queueFiles(pool)).toEqual(before);
    expect(queuedIds(pool).sort()).toEqual(ids.sort());
  });

  it('an invalid schedule is a one-line configuration error at start-up', async () => {
    const pool = createTestPool({ deleter_queueprocinterval: '0 0 * *' });
    const result = await runProgram('endit-deleter', pool);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/deleter_queueprocinterval: invalid value '0 0 \* \*'/);
  });

  it('--help and --version', async () => {
    const pool = createTestPool();
    const help = await runProgram('endit-deleter', pool, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: endit-deleter/);
    const version = await runProgram('endit-deleter', pool, ['--version']);
    expect(version.stdout).toMatch(/^endit-deleter \d+\.\d+\.\d+/);
  });
});

describe('endit-deleter with deleter_volumequiet (volume-aware deletion)', () => {
  function writeHints(pool: TestPool): void {
    const hints: Record<string, { volid: string; order: string; size: number }> = {};
    for (const o of listObjects(pool.library)) hints[o.id] = { volid: o.volume, order: String(o.position), size: o.sizeBytes };
    fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
  }

  it('holds the ids of a volume still receiving deletions, and sends them once the queue covers the volume', async () => {
    const pool = createTestPool({ deleter_volumequiet: 3600 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const a = [pnfsid(31), pnfsid(32), pnfsid(33)];
    const b = [pnfsid(41), pnfsid(42)];
    const loose = pnfsid(51); // on tape, but not in the hints
    seed(pool, a, 'VOLA01');
    seed(pool, b, 'VOLB01');
    writeHints(pool);
    seed(pool, [loose], 'VOLC01');
    trash(pool, [a[0] as string, ...b, loose]);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => queueFiles(pool).length === 1 && trashIds(pool).length === 0, 'queued');

    daemon.child.kill('SIGUSR1');
    await waitFor(() => !inLibrary(pool).has(b[0] as string), 'volume B (fully covered) deleted');
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_held_files'] === 1, 'one id held');
    expect(inLibrary(pool).has(a[0] as string)).toBe(true);
    expect(inLibrary(pool).has(loose)).toBe(false); // no hint: sent as usual
    expect(queuedIds(pool)).toEqual([a[0]]);
    expect(deleteStarts(pool).map((s) => s.ids?.sort())).toEqual([[...b, loose].sort()]);
    expect(readLog(pool, 'deleter')).toMatch(/Volume VOLA01: still receiving deletions, holding 1 until/);

    // The rest of volume A arrives: the queue now covers it, so it goes without a signal.
    trash(pool, [a[1] as string, a[2] as string]);
    await waitFor(() => a.every((id) => !inLibrary(pool).has(id)), 'volume A deleted');
    expect(deleteStarts(pool).map((s) => s.ids?.sort())).toEqual([[...b, loose].sort(), [...a].sort()]);
    await waitFor(() => queueFiles(pool).length === 0 && readStats(pool, 'deleter')?.['deleter_held_files'] === 0, 'nothing held');
    expect(readLog(pool, 'deleter')).toMatch(/Volume VOLA01: every file the hints list on it is queued/);
  });

  it('sends the held ids of a volume once it has had no new deletion for deleter_volumequiet seconds', async () => {
    const pool = createTestPool({ deleter_volumequiet: 2 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const c = [pnfsid(61), pnfsid(62), pnfsid(63)];
    seed(pool, c, 'VOLC01');
    writeHints(pool);
    trash(pool, [c[0] as string]);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => queueFiles(pool).length === 1, 'queued');
    daemon.child.kill('SIGUSR1');
    await waitFor(() => readLog(pool, 'deleter').includes('Volume VOLC01: still receiving deletions'), 'held');
    expect(inLibrary(pool).has(c[0] as string)).toBe(true);
    // No signal: the cycle sends it when the volume has been quiet long enough.
    await waitFor(() => !inLibrary(pool).has(c[0] as string), 'held id deleted after the quiet time');
    expect(inLibrary(pool).has(c[1] as string)).toBe(true);
    expect(deleteStarts(pool).map((s) => s.ids)).toEqual([[c[0]]]);
    expect(readLog(pool, 'deleter')).toMatch(/Volume VOLC01: quiet for deleter_volumequiet, sending its deletions/);
    await waitFor(() => queueFiles(pool).length === 0, 'queue empty');
  });
});
