/**
 * Issue 11 §3: every daemon appends one JSON line per dsmc session to
 * <logdir>/tsm<daemon>-sessions.jsonl (format: README "Session history"),
 * surviving rotation; with `logdir: -` the record is a `[session_record]`
 * log line. The real daemons against the fake dsmc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedObject, seedObjects } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readStats, startDaemon, waitFor, type DaemonProgram, type TestPool } from './harness.js';

const MIB = 1024 * 1024;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const FIELDS = ['time', 'daemon', 'hsm', 'volume', 'pid', 'start', 'end', 'files', 'bytes', 'failed', 'rc', 'reason', 'followOn'];

function historyFile(pool: TestPool, daemon: DaemonProgram): string {
  return path.join(pool.logdir, `tsm${daemon}-sessions.jsonl`);
}

function readHistory(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every field present with its type; times in order. */
function expectRecord(record: Record<string, unknown> | undefined, daemon: DaemonProgram): Record<string, unknown> {
  expect(record).toBeDefined();
  const r = record as Record<string, unknown>;
  expect(Object.keys(r)).toEqual(FIELDS);
  expect(r).toMatchObject({ daemon, hsm: 'testpool' });
  for (const key of ['time', 'start', 'end']) expect(r[key]).toMatch(ISO_MS);
  expect(Date.parse(r['start'] as string)).toBeLessThanOrEqual(Date.parse(r['end'] as string));
  expect(Date.parse(r['end'] as string)).toBeLessThanOrEqual(Date.parse(r['time'] as string));
  expect(r['volume'] === null || typeof r['volume'] === 'string').toBe(true);
  expect(Number.isInteger(r['pid'])).toBe(true);
  for (const key of ['files', 'bytes', 'failed']) expect(Number.isInteger(r[key]) && (r[key] as number) >= 0, key).toBe(true);
  expect(r['rc'] === null || Number.isInteger(r['rc'])).toBe(true);
  expect(typeof r['reason']).toBe('string');
  expect((r['reason'] as string).length).toBeGreaterThan(0);
  expect(typeof r['followOn']).toBe('boolean');
  return r;
}

function recall(pool: TestPool, n: number, sizeBytes: number, volume: string): string {
  const id = pnfsid(n);
  seedObject(pool.library, { path: pool.path('out', id), sizeBytes, content: Buffer.alloc(sizeBytes, n % 251), volume });
  const hints = fs.existsSync(pool.hintPath) ? (JSON.parse(fs.readFileSync(pool.hintPath, 'utf8')) as Record<string, unknown>) : {};
  hints[id] = { volid: volume, order: String(n), size: sizeBytes };
  fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
  fs.mkdirSync(pool.path('request'), { recursive: true });
  fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: sizeBytes, parent_pid: process.pid, action: 'recall', path: `/pnfs/test/${id}` }));
  return id;
}

const FAST_RETRIEVER = { retriever_buffersize: 1, retriever_reqlistfillwait: 1, retriever_reqlistfillwaitmax: 2, retriever_remountdelay: 3600 };

describe('session history records', () => {
  it('issue 11: the retriever writes one line per session; a session on a tape still mounted is a follow-on; a rotated file is reopened', async () => {
    const pool = createTestPool({ ...FAST_RETRIEVER });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const first = recall(pool, 1, 1000, 'VOL1');
    startDaemon('retriever', pool);
    const file = historyFile(pool, 'retriever');
    await waitFor(() => readHistory(file).length === 1, 'the first session recorded');
    const one = expectRecord(readHistory(file)[0], 'retriever');
    expect(one).toMatchObject({ volume: 'VOL1', files: 1, bytes: 1000, failed: 0, rc: 0, followOn: false });
    expect(fs.statSync(pool.path('in', first)).size).toBe(1000);

    // logrotate without copytruncate: the file is renamed away.
    fs.renameSync(file, `${file}.1`);
    recall(pool, 2, 2000, 'VOL1');
    await waitFor(() => readHistory(file).length === 1, 'the second session recorded in a new file');
    const two = expectRecord(readHistory(file)[0], 'retriever');
    // Within retriever_mountretention of the first: no fresh mount, despite the remount delay.
    expect(two).toMatchObject({ volume: 'VOL1', files: 1, bytes: 2000, failed: 0, rc: 0, followOn: true });
    expect(readHistory(`${file}.1`)).toHaveLength(1);
    expect(two['pid']).not.toBe(one['pid']);
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_sessions_total'] === 2, 'two sessions counted');
    expect(readStats(pool, 'retriever')?.['retriever_fresh_mounts_total']).toBe(1);
  });

  it('issue 11: the archiver writes one line per session: no volume, the files and bytes dsmc sent', async () => {
    const pool = createTestPool({ archiver_threshold1_usage: 1, archiver_timeout: 86400 });
    const ids = [1, 2, 3].map(pnfsid);
    fs.mkdirSync(pool.path('out'), { recursive: true });
    for (const id of ids) {
      fs.writeFileSync(pool.path('out', id), '');
      fs.truncateSync(pool.path('out', id), 400 * MIB);
    }
    startDaemon('archiver', pool);
    const file = historyFile(pool, 'archiver');
    await waitFor(() => readHistory(file).length === 1, 'the session recorded');
    const record = expectRecord(readHistory(file)[0], 'archiver');
    expect(record).toMatchObject({ volume: null, files: 3, bytes: 1200 * MIB, failed: 0, rc: 0, followOn: false });
    expect(record['reason']).toMatch(/threshold|usage/i);
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_sessions_total'] === 1, 'one session counted');
  });

  it('issue 11: the deleter writes one line per session: no volume, the ids deleted, bytes 0', async () => {
    const pool = createTestPool();
    const ids = [1, 2, 3].map(pnfsid);
    seedObjects(pool.library, ids.map((id) => ({ path: pool.path('out', id), sizeBytes: 10 })));
    fs.mkdirSync(pool.path('trash', 'queue'), { recursive: true });
    for (const id of ids) fs.writeFileSync(pool.path('trash', id), `osm://pool/?store=s&group=g&bfid=${id}`);
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_queued_files'] === 3, 'queued');
    daemon.child.kill('SIGUSR1');
    const file = historyFile(pool, 'deleter');
    await waitFor(() => readHistory(file).length === 1, 'the session recorded');
    const record = expectRecord(readHistory(file)[0], 'deleter');
    expect(record).toMatchObject({ volume: null, files: 3, bytes: 0, failed: 0, rc: 0, followOn: false });
    expect(record['reason']).toMatch(/SIGUSR1/);
    await waitFor(() => readStats(pool, 'deleter')?.['deleter_sessions_total'] === 1, 'one session counted');
  });

  it('issue 11: with logdir - the record is one [session_record] log line whose message is the JSON', async () => {
    const pool = createTestPool({ ...FAST_RETRIEVER, logdir: '-' });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    recall(pool, 3, 300, 'VOL3');
    const daemon = startDaemon('retriever', pool);
    const recordLines = (): string[] => daemon.stdout().split('\n').filter((line) => line.includes('[session_record]'));
    await waitFor(() => recordLines().length === 1, 'the record logged');
    const json = (recordLines()[0] as string).replace(/^.*? \[session_record\] /, '');
    expect(expectRecord(JSON.parse(json) as Record<string, unknown>, 'retriever')).toMatchObject({ volume: 'VOL3', files: 1, bytes: 300, followOn: false });
    expect(fs.readdirSync(pool.logdir)).toEqual([]);
    expect(logLines(pool, 'retriever', 'session_record')).toEqual([]);
  });
});
