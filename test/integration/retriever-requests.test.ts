/**
 * Issue 11: what dCache does to request files between a scan and a session,
 * against the real bin/endit-retriever and the fake dsmc. The test runner's
 * own pid is a live parent_pid.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJournal, seedObject, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { promtoolProblems } from '../promtool-check.js';
import { createTestPool, pnfsid, promPath, readStats, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

const VOLUME = 'VOL1';

/** dCache's side: the object on tape, its hint, and `request/<id>`; `ageSec` sets the request file's mtime back. */
function setUpRecalls(pool: TestPool, recalls: readonly { n: number; ageSec?: number }[]): string[] {
  const hints: Record<string, unknown> = {};
  fs.mkdirSync(pool.path('request'), { recursive: true });
  const ids = recalls.map(({ n }) => pnfsid(n));
  recalls.forEach(({ n, ageSec }, i) => {
    const id = ids[i] as string;
    seedObject(pool.library, { path: pool.path('out', id), sizeBytes: 100 * n, content: Buffer.alloc(100 * n, n), volume: VOLUME });
    hints[id] = { volid: VOLUME, order: String(n), size: 100 * n };
    writeRequest(pool, id, 100 * n);
    if (ageSec !== undefined) {
      const mtimeSec = Date.now() / 1000 - ageSec;
      fs.utimesSync(pool.path('request', id), mtimeSec, mtimeSec);
    }
  });
  fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
  return ids;
}

function writeRequest(pool: TestPool, id: string, sizeBytes: number): void {
  const request = { file_size: sizeBytes, parent_pid: process.pid, time: Math.floor(Date.now() / 1000), storage_class: 'test:tape@osm', action: 'recall', path: `/pnfs/test/${id}` };
  fs.writeFileSync(pool.path('request', id), JSON.stringify(request));
}

function listedIds(pool: TestPool): string[] {
  return readJournal(pool.library)
    .filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'retrieve')
    .flatMap((e) => e.ids ?? []);
}

function inSize(pool: TestPool, id: string): number | null {
  return fs.statSync(pool.path('in', id), { throwIfNoEntry: false })?.size ?? null;
}

describe('endit-retriever and dCache changing request files (issue 11)', () => {
  it('cancelled stage: a request removed during the fill wait is not listed, the others are recalled', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 4, retriever_reqlistfillwaitmax: 60, retriever_remountdelay: 1 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [first, cancelled, third] = setUpRecalls(pool, [{ n: 1 }, { n: 2 }, { n: 3 }]) as [string, string, string];
    startDaemon('retriever', pool);
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_requests_files'] === 3, 'the three requests seen');
    expect(listedIds(pool)).toEqual([]);
    fs.rmSync(pool.path('request', cancelled));

    await waitFor(() => inSize(pool, first) === 100 && inSize(pool, third) === 300, 'the other two recalled');
    expect(listedIds(pool)).toEqual([first, third]);
    expect(inSize(pool, cancelled)).toBeNull();
  });

  it('rewritten request: dCache writing the file again (a retry) keeps its age from first sight', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 600, retriever_reqlistfillwaitmax: 7200 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    // The young second request keeps the volume's list filling: nothing starts during the test.
    const [old] = setUpRecalls(pool, [{ n: 1, ageSec: 1000 }, { n: 2 }]) as [string, string];
    startDaemon('retriever', pool);
    const age = (): number => readStats(pool, 'retriever')?.['retriever_oldest_request_age_seconds'] ?? 0;
    await waitFor(() => age() >= 1000, 'the old request seen with its age');

    writeRequest(pool, old, 100);
    expect(fs.statSync(pool.path('request', old)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    await waitForStatsSeconds(pool, 'retriever', 3);
    expect(age()).toBeGreaterThanOrEqual(1000);
    expect(age()).toBeLessThan(1100);
    expect(listedIds(pool)).toEqual([]);
  });

  it('request wait: a recall dCache takes (file complete, request removed) lands in retriever_request_wait_seconds', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 1, retriever_reqlistfillwaitmax: 2 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [id] = setUpRecalls(pool, [{ n: 1, ageSec: 6000 }]) as [string];
    startDaemon('retriever', pool);
    await waitFor(() => inSize(pool, id) === 100, 'the file recalled');
    expect(readStats(pool, 'retriever')?.['retriever_request_wait_seconds_count']).toBe(0);
    fs.rmSync(pool.path('request', id)); // dCache took the file

    await waitFor(() => readStats(pool, 'retriever')?.['retriever_request_wait_seconds_count'] === 1, 'one delivery counted');
    const stats = readStats(pool, 'retriever') ?? {};
    expect(stats).toMatchObject({ retriever_request_wait_seconds_bucket_le_3600: 0, retriever_request_wait_seconds_bucket_le_7200: 1, retriever_request_wait_seconds_bucket_le_inf: 1 });
    expect(stats['retriever_request_wait_seconds_sum']).toBeGreaterThanOrEqual(6000);
    expect(stats['retriever_request_wait_seconds_sum']).toBeLessThan(6100);
    const bucketLine = 'endit_retriever_request_wait_seconds_bucket{hsm="testpool",le="7200"} 1\n';
    // The .prom is written just after the JSON.
    await waitFor(() => fs.readFileSync(promPath(pool, 'retriever'), 'utf8').includes(bucketLine), 'the delivery in the .prom');
    expect(promtoolProblems(fs.readFileSync(promPath(pool, 'retriever'), 'utf8'))).toEqual([]);
  });
});
