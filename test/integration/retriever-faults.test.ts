/**
 * The real bin/endit-retriever against pools that misbehave (issue 10,
 * "Hardening"): a recall larger than in/ can ever hold, odd entries and
 * over-long names in request/, over-long volume names, a FIFO as the hint
 * file. In each, the daemon names the problem once and the other recalls go on.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal, seedObject, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readStats, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

const FAST = {
  retriever_buffersize: 1,
  retriever_reqlistfillwait: 1,
  retriever_reqlistfillwaitmax: 2,
  retriever_remountdelay: 1,
  retriever_maxworkers: 2,
};

function writeRequest(pool: TestPool, id: string, sizeBytes: number): void {
  fs.mkdirSync(pool.path('request'), { recursive: true });
  fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: sizeBytes, parent_pid: process.pid, action: 'recall', path: `/pnfs/test/${id}` }));
}

function onTape(pool: TestPool, id: string, sizeBytes: number, volume?: string): void {
  seedObject(pool.library, { path: pool.path('out', id), sizeBytes, content: Buffer.alloc(sizeBytes, 7), ...(volume === undefined ? {} : { volume }) });
}

function inSize(pool: TestPool, id: string): number | null {
  const st = fs.lstatSync(pool.path('in', id), { throwIfNoEntry: false });
  return st?.isFile() === true ? st.size : null;
}

function listedIds(pool: TestPool): string[] {
  return readJournal(pool.library)
    .filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'retrieve')
    .flatMap((s) => s.ids ?? []);
}

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('endit-retriever under faults', () => {
  it('fault 8: a recall larger than in/ can ever hold does not hold the others back; it stays, is named once, and counted', async () => {
    // No hint file: every request is on the volume `default`.
    const pool = createTestPool({ ...FAST });
    const big = pnfsid(801);
    const small = [pnfsid(802), pnfsid(803)];
    writeRequest(pool, big, 2 ** 52); // 4 PiB: more than any filesystem of this machine
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(pool.path('request', big), old, old); // the oldest: the head of every list
    for (const id of small) {
      onTape(pool, id, 800);
      writeRequest(pool, id, 800);
    }
    startDaemon('retriever', pool);

    await waitFor(() => small.every((id) => inSize(pool, id) === 800), 'the two other recalls landed');
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_too_large_files'] === 1, 'retriever_too_large_files = 1');
    await waitForStatsSeconds(pool, 'retriever', 3);
    expect(fs.existsSync(pool.path('request', big))).toBe(true);
    const named = logLines(pool, 'retriever', '[recall_too_large]');
    expect(named).toHaveLength(1);
    expect(named[0]).toContain(`request/${big}`);
    expect(listedIds(pool)).not.toContain(big);
    expect(readStats(pool, 'retriever')?.['retriever_too_large_files']).toBe(1);
  });

  it('fault 3 and 11: odd entries and over-long names in request/ are skipped with one warning each; the requests around them go on', async () => {
    const pool = createTestPool({ ...FAST });
    const good = pnfsid(301);
    const missing = pnfsid(302);
    onTape(pool, good, 300);
    writeRequest(pool, good, 300);
    writeRequest(pool, missing, 300); // not on tape: failed with a .err file
    const [link, dir, fifo, socket] = [pnfsid(303), pnfsid(304), pnfsid(305), pnfsid(306)];
    const target = path.join(pool.root, 'elsewhere.json');
    fs.writeFileSync(target, JSON.stringify({ file_size: 300, parent_pid: process.pid, action: 'recall' }));
    onTape(pool, link, 300);
    fs.symlinkSync(target, pool.path('request', link));
    fs.mkdirSync(pool.path('request', dir));
    expect(spawnSync('mkfifo', [pool.path('request', fifo)]).status).toBe(0);
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(pool.path('request', socket), resolve));
    const longId = 'F'.repeat(250); // fault 11: no pnfsid, not on tape
    writeRequest(pool, longId, 300);
    startDaemon('retriever', pool);

    await waitFor(() => inSize(pool, good) === 300, 'the good request recalled');
    await waitFor(() => fs.existsSync(pool.path('request', `${missing}.err`)), 'the missing one failed with .err');
    await waitForStatsSeconds(pool, 'retriever', 3);
    for (const [name, kind] of [[link, 'symlink'], [dir, 'directory'], [fifo, 'fifo'], [socket, 'socket']] as const) {
      expect(logLines(pool, 'retriever', `[odd_entry] ${pool.path('request', name)}: skipped, a ${kind} is not a regular file`), kind).toHaveLength(1);
    }
    expect(logLines(pool, 'retriever', `[request_invalid] ${pool.path('request', longId)}: skipped, a name of 250 hex digits is no pnfsid`)).toHaveLength(1);
    expect(listedIds(pool).sort()).toEqual([good, missing].sort());
    expect(fs.existsSync(pool.path('request', `${longId}.err`))).toBe(false);
    expect(fs.existsSync(pool.path('request', longId))).toBe(true);
    expect(inSize(pool, link)).toBeNull();
  });

  it('fault 10: volume names of 240 and 300 characters run like any other, with short file names', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const volumes = ['V'.repeat(240), `${'W'.repeat(299)}x`, 'VOLN'];
    const ids = volumes.map((_, i) => pnfsid(1000 + i));
    const hints: Record<string, unknown> = {};
    ids.forEach((id, i) => {
      // The fake library names its own files after volumes: it keeps a short one; the hint file says the long one.
      onTape(pool, id, 100 + i, `TAPE${i}`);
      hints[id] = { volid: volumes[i], order: '1', size: 100 + i };
      writeRequest(pool, id, 100 + i);
    });
    fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
    startDaemon('retriever', pool);

    await waitFor(() => ids.every((id, i) => inSize(pool, id) === 100 + i), 'all three recalled');
    const lists = readJournal(pool.library)
      .filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'retrieve')
      .map((s) => path.basename(s.listFile ?? ''));
    expect(lists).toHaveLength(3);
    for (const name of lists) expect(name.length).toBeLessThanOrEqual(124);
    expect(logLines(pool, 'retriever', '[cycle_failed]')).toEqual([]);
  });

  it('fault 12: a FIFO as the hint file is one warning naming it; recalls go on and SIGTERM still stops the daemon', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    expect(spawnSync('mkfifo', [pool.hintPath]).status).toBe(0);
    const id = pnfsid(1201);
    onTape(pool, id, 120);
    writeRequest(pool, id, 120);
    const daemon = startDaemon('retriever', pool);

    await waitFor(() => inSize(pool, id) === 120, 'the recall went on (volume default)', 20_000);
    await waitForStatsSeconds(pool, 'retriever', 2);
    const warned = logLines(pool, 'retriever', '[hintfile_invalid]');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(`hint file ${pool.hintPath} is not a regular file (a fifo)`);
    daemon.child.kill('SIGTERM');
    const exit = await Promise.race([daemon.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000))]);
    expect(exit).not.toBe('hung');
  });
});
