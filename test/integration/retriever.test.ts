/**
 * The real bin/endit-retriever against a temporary pool and the fake dsmc.
 * dCache's side (request files, parent_pid) is played by the test; the test
 * runner's own pid is a live parent_pid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { promtoolProblems } from '../promtool-check.js';
import { readJournal, seedObject, type JournalEntry, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import {
  createTestPool,
  hasCommand,
  isAlive,
  logLines,
  pnfsid,
  promPath,
  readLog,
  readStats,
  startDaemon,
  waitFor,
  waitForStatsSeconds,
  type TestPool,
} from './harness.js';

/** Small waits so that the suite runs quickly; buffer 1 GiB so that this machine's free space is plenty. */
const FAST = {
  retriever_buffersize: 1,
  retriever_reqlistfillwait: 1,
  retriever_reqlistfillwaitmax: 2,
  retriever_remountdelay: 1,
  retriever_maxworkers: 2,
};

interface Recall {
  readonly n: number;
  readonly sizeBytes: number;
  readonly volume?: string;
  readonly order?: number;
  /** Put the object into the fake library (default true). */
  readonly onTape?: boolean;
  readonly parentPid?: number;
}

function writeRequest(pool: TestPool, id: string, fields: Record<string, unknown>): void {
  fs.writeFileSync(pool.path('request', id), JSON.stringify({ time: Math.floor(Date.now() / 1000), storage_class: 'test:tape@osm', path: `/pnfs/test/${id}`, ...fields }));
}

/** Seeds the library and writes the hint file and the request files, as dCache and tapehints would. */
function setUpRecalls(pool: TestPool, recalls: readonly Recall[]): string[] {
  const hints: Record<string, unknown> = {};
  const ids = recalls.map((r) => {
    const id = pnfsid(r.n);
    if (r.onTape !== false) seedObject(pool.library, { path: pool.path('out', id), sizeBytes: r.sizeBytes, content: Buffer.alloc(r.sizeBytes, r.n % 251), ...(r.volume === undefined ? {} : { volume: r.volume }) });
    if (r.volume !== undefined) hints[id] = { volid: r.volume, order: String(r.order ?? r.n), size: r.sizeBytes };
    return id;
  });
  fs.writeFileSync(pool.hintPath, JSON.stringify(hints, null, 2));
  fs.mkdirSync(pool.path('request'), { recursive: true });
  recalls.forEach((r, i) => writeRequest(pool, ids[i] as string, { file_size: r.sizeBytes, parent_pid: r.parentPid ?? process.pid, action: 'recall' }));
  return ids;
}

function retrieveStarts(pool: TestPool): JournalStartEntry[] {
  return readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'retrieve');
}

function ends(pool: TestPool): JournalEntry[] {
  return readJournal(pool.library).filter((e) => e.event === 'end');
}

function inSize(pool: TestPool, id: string): number | null {
  try {
    return fs.statSync(pool.path('in', id)).size;
  } catch {
    return null;
  }
}

/** A pid that is certainly not running: a child that exited and was reaped. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('endit-retriever', () => {
  it('recalls six files on two volumes in one session per volume, in tape order, and counts them', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const recalls: Recall[] = [1, 2, 3, 4, 5, 6].map((n) => ({ n, sizeBytes: 1000 * n, volume: n % 2 === 0 ? 'VOL EVEN' : 'VOLODD', order: 100 - n }));
    const ids = setUpRecalls(pool, recalls);
    startDaemon('retriever', pool);

    await waitFor(() => recalls.every((r, i) => inSize(pool, ids[i] as string) === r.sizeBytes), 'all six files in in/ with the right size');
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_staged_files'] === 6, 'staged_files = 6');

    const starts = retrieveStarts(pool);
    expect(starts).toHaveLength(2);
    const lists = starts.map((s) => s.ids ?? []);
    const evens = [pnfsid(6), pnfsid(4), pnfsid(2)]; // order 94, 96, 98: tape order
    const odds = [pnfsid(5), pnfsid(3), pnfsid(1)];
    expect(lists).toEqual(expect.arrayContaining([evens, odds]));
    // Sanitized volume names name the lists: requestlists/<volume>.XXXXXX
    expect(starts.map((s) => path.basename(s.listFile ?? '').replace(/\.[^.]+$/, '')).sort()).toEqual(['VOLODD', 'VOL_EVEN']);
    const stats = readStats(pool, 'retriever');
    expect(stats).toMatchObject({ retriever_staged_bytes: 21_000, retriever_stage_retries: 0, retriever_hintfile_entries: 6, retriever_errors: 0 });
    // The lists were removed (debug is off).
    await waitFor(() => fs.readdirSync(pool.path('requestlists')).filter((n) => !n.startsWith('.')).length === 0, 'file lists removed');
  });

  it('fails a recall that is not on tape with a .err file and removes its request; the others still land', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const ids = setUpRecalls(pool, [
      { n: 11, sizeBytes: 500, volume: 'VOL1' },
      { n: 12, sizeBytes: 600, volume: 'VOL1', onTape: false },
      { n: 13, sizeBytes: 700, volume: 'VOL1' },
    ]);
    const missing = ids[1] as string;
    startDaemon('retriever', pool);

    const errFile = pool.path('request', `${missing}.err`);
    await waitFor(() => fs.existsSync(errFile), '.err file for the missing id');
    expect(fs.readFileSync(errFile, 'utf8')).toMatch(/^ANS1345E .*out\/0+C'/);
    await waitFor(() => !fs.existsSync(pool.path('request', missing)), 'request of the missing id removed');
    await waitFor(() => inSize(pool, ids[0] as string) === 500 && inSize(pool, ids[2] as string) === 700, 'the other two landed');
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_failed_files'] === 1, 'failed_files = 1');
    expect(retrieveStarts(pool)).toHaveLength(1);
    // No temporary file of the atomic write left behind.
    expect(fs.readdirSync(pool.path('request')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(logLines(pool, 'retriever', '[recall_failed]')).toHaveLength(1);
  });

  it('publishes the age of the oldest recall, waiting or on a running list, for the 8 h / 12 h alerts', async () => {
    const pool = createTestPool(FAST, { rules: [{ command: 'retrieve', action: 'hang', times: 1 }] });
    const [id] = setUpRecalls(pool, [{ n: 1, sizeBytes: 10, volume: 'VOL001' }]);
    const nineHoursAgo = Date.now() / 1000 - 9 * 3600;
    fs.utimesSync(pool.path('request', id as string), nineHoursAgo, nineHoursAgo);
    startDaemon('retriever', pool);
    await waitFor(() => retrieveStarts(pool).length === 1, 'the session started (and hangs)');
    await waitFor(() => (readStats(pool, 'retriever')?.['retriever_busyworkers'] ?? 0) === 1, 'stats with the session running');
    const age = readStats(pool, 'retriever')?.['retriever_oldest_request_age_seconds'] ?? 0;
    expect(age).toBeGreaterThanOrEqual(9 * 3600);
    expect(age).toBeLessThan(10 * 3600);
  });

  it('removes a stale request (dead parent_pid) without ever listing it', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [stale, live] = setUpRecalls(pool, [
      { n: 21, sizeBytes: 100, volume: 'VOL1', parentPid: deadPid() },
      { n: 22, sizeBytes: 200, volume: 'VOL1' },
    ]) as [string, string];
    startDaemon('retriever', pool);

    await waitFor(() => !fs.existsSync(pool.path('request', stale)), 'stale request removed');
    await waitFor(() => inSize(pool, live) === 200, 'the live one recalled');
    expect(retrieveStarts(pool).flatMap((s) => s.ids ?? [])).toEqual([live]);
    expect(inSize(pool, stale)).toBeNull();
  });

  it('removes a request whose file is already complete in in/, without a session', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [done] = setUpRecalls(pool, [{ n: 31, sizeBytes: 300, volume: 'VOL1' }]) as [string];
    fs.mkdirSync(pool.path('in'), { recursive: true });
    fs.writeFileSync(pool.path('in', done), Buffer.alloc(300));
    startDaemon('retriever', pool);

    await waitFor(() => !fs.existsSync(pool.path('request', done)), 'complete request removed');
    await waitForStatsSeconds(pool, 'retriever', 3);
    expect(retrieveStarts(pool)).toEqual([]);
    expect(inSize(pool, done)).toBe(300);
  });

  it('logs garbage and empty request files once each, with a code, keeps running and recalls the valid one', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [valid] = setUpRecalls(pool, [{ n: 41, sizeBytes: 400, volume: 'VOL1' }]) as [string];
    const garbage = pnfsid(42);
    const empty = pnfsid(43);
    const array = pnfsid(44);
    fs.writeFileSync(pool.path('request', garbage), '{"file_size": 12, "action": "rec');
    fs.writeFileSync(pool.path('request', empty), '');
    fs.writeFileSync(pool.path('request', array), '[1, 2, 3]');
    const daemon = startDaemon('retriever', pool);

    await waitFor(() => inSize(pool, valid) === 400, 'the valid request recalled');
    await waitForStatsSeconds(pool, 'retriever', 3);
    for (const id of [garbage, empty, array]) {
      expect(logLines(pool, 'retriever', `[request_invalid] request/${id}`), id).toHaveLength(1);
      expect(fs.existsSync(pool.path('request', id))).toBe(true);
    }
    expect(isAlive(daemon.pid)).toBe(true);
    expect(readStats(pool, 'retriever')?.['retriever_errors_request_invalid']).toBe(3);
    expect(retrieveStarts(pool).flatMap((s) => s.ids ?? [])).toEqual([valid]);

    // A request written later, while the daemon runs, comes from the directory watch.
    const later = pnfsid(45);
    seedObject(pool.library, { path: pool.path('out', later), sizeBytes: 45, content: Buffer.alloc(45) });
    writeRequest(pool, later, { file_size: 45, parent_pid: process.pid, action: 'recall' });
    await waitFor(() => inSize(pool, later) === 45, 'a request written later recalled');
  });

  it('kills a dsmc that prompts for input, and goes on', async () => {
    const pool = createTestPool({ ...FAST }, { rules: [{ command: 'retrieve', action: 'prompt', times: 1 }] });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [id] = setUpRecalls(pool, [{ n: 51, sizeBytes: 510, volume: 'VOL1' }]) as [string];
    const daemon = startDaemon('retriever', pool);

    await waitFor(() => logLines(pool, 'retriever', 'waited for user input and was killed').length > 0, 'the prompt noticed', 15_000);
    const [prompting] = retrieveStarts(pool);
    expect(prompting?.action).toBe('prompt');
    await waitFor(() => !isAlive(prompting?.pid ?? 0), 'the prompting dsmc is gone', 5000);
    await waitFor(() => inSize(pool, id) === 510, 'the file recalled by the next session');
    expect(retrieveStarts(pool)).toHaveLength(2);
    expect(readStats(pool, 'retriever')?.['retriever_stage_retries']).toBe(1);
    expect(isAlive(daemon.pid)).toBe(true);
  });

  it('raises retriever_maxworkers on SIGHUP and from the override file: more volumes run at once', async () => {
    // Sessions block in the "mount" long enough to watch how many run together.
    const pool = createTestPool({ ...FAST, retriever_maxworkers: 1 }, { mountDelayMs: 120_000 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    setUpRecalls(pool, [1, 2, 3, 4].map((v) => ({ n: 60 + v, sizeBytes: 100, volume: `VOL${v}` })));
    const daemon = startDaemon('retriever', pool);
    const runningNow = (): number => retrieveStarts(pool).length - ends(pool).length;

    await waitFor(() => runningNow() === 1, 'one session');
    await waitForStatsSeconds(pool, 'retriever', 2);
    expect(runningNow()).toBe(1);

    pool.writeConfig({ retriever_maxworkers: 2 });
    daemon.child.kill('SIGHUP');
    await waitFor(() => runningNow() === 2, 'two sessions after SIGHUP');
    expect(logLines(pool, 'retriever', 'retriever_maxworkers 1 -> 2').length).toBeGreaterThan(0);

    fs.writeFileSync(pool.overridePath, JSON.stringify({ retriever_maxworkers: 4 }));
    await waitFor(() => runningNow() === 4, 'four sessions after the override');
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_busyworkers'] === 4, 'busyworkers = 4');
    expect(readStats(pool, 'retriever')?.['retriever_maxworkers']).toBe(4);
    // One volume per session.
    expect(new Set(retrieveStarts(pool).map((s) => s.ids?.[0])).size).toBe(4);
  });

  it.skipIf(!hasCommand('promtool'))('writes a .prom file that passes promtool check metrics', async () => {
    const pool = createTestPool({ ...FAST });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [id] = setUpRecalls(pool, [{ n: 71, sizeBytes: 71, volume: 'VOL1' }]) as [string];
    fs.writeFileSync(pool.path('request', pnfsid(72)), 'garbage'); // an error code label too
    startDaemon('retriever', pool);
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_staged_files'] === 1, 'a staged file');
    await waitForStatsSeconds(pool, 'retriever', 1);
    const prom = fs.readFileSync(promPath(pool, 'retriever'), 'utf8');
    expect(promtoolProblems(prom)).toEqual([]);
    for (const name of ['staged_files', 'reserved_bytes', 'backoffstate', 'hintfile_entries', 'requests_volumes', 'info']) {
      expect(prom).toMatch(new RegExp(`^endit_retriever_${name}\\{hsm="testpool"`, 'm'));
    }
    expect(prom).toMatch(/^endit_retriever_errors\{hsm="testpool",code="request_invalid"\} 1$/m);
    expect(inSize(pool, id)).toBe(71);
    expect(readLog(pool, 'retriever').split('\n').every((line) => line.length < 4096)).toBe(true);
  });
});
