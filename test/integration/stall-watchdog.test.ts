/**
 * Issue 11: the stall watchdog. The real bin/endit-retriever against the fake
 * dsmc: a retrieve that prints nothing and lands nothing (the fake's `hang`)
 * is killed after dsmc_stalltimeout and retried; a silent but slow transfer,
 * whose bytes keep landing in in/, is not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, seedObject, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readStats, startDaemon, waitFor, type TestPool } from './harness.js';

const FAST = {
  retriever_buffersize: 1,
  retriever_reqlistfillwait: 1,
  retriever_reqlistfillwaitmax: 2,
  retriever_remountdelay: 1,
  // Long enough for the fake (a Node program) to start on a busy machine.
  dsmc_stalltimeout: 3,
};

function recallOf(pool: TestPool, id: string, sizeBytes: number): void {
  seedObject(pool.library, { path: pool.path('out', id), sizeBytes, content: Buffer.alloc(sizeBytes, 5) });
  fs.mkdirSync(pool.path('request'), { recursive: true });
  fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: sizeBytes, parent_pid: process.pid, action: 'recall', path: `/pnfs/test/${id}` }));
}

function inSize(pool: TestPool, id: string): number | null {
  const st = fs.lstatSync(pool.path('in', id), { throwIfNoEntry: false });
  return st?.isFile() === true ? st.size : null;
}

function retrieveStarts(pool: TestPool): JournalStartEntry[] {
  return readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'retrieve');
}

describe('the stall watchdog of the retriever', () => {
  it('issue 11: a retrieve that prints nothing and lands nothing is killed ([dsmc_stalled]), counted failed, and retried', async () => {
    const pool = createTestPool({ ...FAST }, { rules: [{ command: 'retrieve', action: 'hang', times: 1 }] });
    const id = pnfsid(1101);
    recallOf(pool, id, 1000);
    startDaemon('retriever', pool);
    await waitFor(() => inSize(pool, id) === 1000 && logLines(pool, 'retriever', 'done: 1 staged').length === 1, 'the recall landed at the second try');
    // The first session hung; a later one may have been killed too if the fake started slowly.
    const stalled = logLines(pool, 'retriever', '[dsmc_stalled]');
    expect(stalled.length).toBeGreaterThanOrEqual(1);
    expect(stalled[0]).toMatch(/Retrieve session for volume default printed nothing and made no progress for \d+ s and was killed \(dsmc_stalltimeout\): 0 staged, 0 failed \(not on tape\), 1 to retry/);
    const starts = retrieveStarts(pool);
    expect(starts[0]?.action).toBe('hang');
    expect(starts).toHaveLength(stalled.length + 1);
    // Its session record: killed, so no exit code; its one file not delivered.
    const readRecords = (): Record<string, unknown>[] =>
      fs.readFileSync(path.join(pool.logdir, 'tsmretriever-sessions.jsonl'), 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => readRecords().length === starts.length, 'a record per session');
    const records = readRecords();
    expect(records[0]).toMatchObject({ volume: 'default', files: 0, bytes: 0, failed: 1, rc: null, followOn: false });
    expect(records.at(-1)).toMatchObject({ files: 1, bytes: 1000, failed: 0, rc: 0 });
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_staged_files'] === 1, 'the staged file counted');
    expect(readStats(pool, 'retriever')).toMatchObject({ retriever_errors_dsmc_stalled: stalled.length, retriever_stage_retries: stalled.length });
  });

  it('issue 11: a silent transfer whose bytes keep landing in in/ is not killed', async () => {
    // 400 kB at 50 kB/s: 8 s without a line, against a 3 s watchdog.
    const pool = createTestPool({ ...FAST }, { bytesPerSecond: 50_000 });
    const id = pnfsid(1102);
    recallOf(pool, id, 400_000);
    startDaemon('retriever', pool);
    await waitFor(() => inSize(pool, id) === 400_000 && logLines(pool, 'retriever', 'done: 1 staged').length === 1, 'the recall landed');
    expect(logLines(pool, 'retriever', '[dsmc_stalled]')).toEqual([]);
    expect(retrieveStarts(pool)).toHaveLength(1);
  });
});
