/** `bin/endit plan` as a process: on a pool at rest it changes nothing; next to a running retriever it sees its session. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, seedObject } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, runProgram, startDaemon, waitFor, type TestPool } from './harness.js';

function writeRequest(pool: TestPool, n: number, sizeBytes: number, ageSec = 0): string {
  const id = pnfsid(n);
  fs.mkdirSync(pool.path('request'), { recursive: true });
  fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: sizeBytes, parent_pid: process.pid, time: 0, action: 'recall', path: `/pnfs/test/${id}` }));
  const mtimeSec = Date.now() / 1000 - ageSec;
  fs.utimesSync(pool.path('request', id), mtimeSec, mtimeSec);
  return id;
}

/** Every entry under `root`: kind, mode, size, mtime and a hash of the content. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const st = fs.lstatSync(file);
      const content = entry.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : '';
      out[path.relative(root, file)] = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${content}`;
      if (entry.isDirectory()) walk(file);
    }
  };
  walk(root);
  return out;
}

describe('endit plan (process)', () => {
  it('prints the plan as a table and as JSON, and leaves the pool byte for byte as it was, without taking a lock', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwaitmax: 60 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const hints: Record<string, unknown> = {};
    for (const n of [1, 2, 3]) hints[pnfsid(n)] = { volid: n === 3 ? 'VOL2' : 'VOL1', order: String(n), size: 1000 * n };
    fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
    writeRequest(pool, 1, 1000, 120);
    writeRequest(pool, 2, 2000, 100);
    writeRequest(pool, 3, 3000, 10);
    writeRequest(pool, 4, 4000); // no hint: default
    const complete = writeRequest(pool, 5, 500);
    fs.mkdirSync(pool.path('in'));
    fs.writeFileSync(pool.path('in', complete), Buffer.alloc(500));
    fs.mkdirSync(pool.path('requestlists'));
    fs.writeFileSync(pool.overridePath, JSON.stringify({ retriever_maxworkers: 1 }));
    const before = snapshot(pool.root);

    const table = await runProgram('endit', pool, ['plan']);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n').filter((line) => /^\s*\d+\s+(VOL|default)/.test(line)).map((line) => line.trim().split(/\s{2,}/).slice(0, 6));
    expect(rows).toEqual([
      ['1', 'VOL1', '2', '2.9 KiB', expect.stringMatching(/^2m0\ds$/), 'starts'],
      // Ranked by age more than by a few bytes: a mount costs as much as reading 72 GB.
      ['2', 'VOL2', '1', '2.9 KiB', expect.stringMatching(/^1\ds$/), expect.stringMatching(/^waits \d+s$/)],
      ['3', 'default', '1', '3.9 KiB', expect.stringMatching(/^\ds$/), 'ready'],
    ]);
    expect(table.stdout).toContain('the retriever is not running');
    expect(table.stdout).toContain('sessions 0 of 1');
    const json = await runProgram('endit', pool, ['plan', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ hsm: 'testpool', completeInIn: 1, totals: { volumes: 3, files: 4, bytes: 10_000 } });

    expect(snapshot(pool.root)).toEqual(before);
    expect(fs.existsSync(pool.path('.endit-retriever.lock'))).toBe(false);
  });

  it('next to a running retriever: its session first, marked running, and the retriever named', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 600, retriever_reqlistfillwaitmax: 60 }, { rules: [{ command: 'retrieve', action: 'hang', times: 1 }] });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const id = pnfsid(1);
    seedObject(pool.library, { path: pool.path('out', id), sizeBytes: 10, content: Buffer.alloc(10), volume: 'VOL1' });
    fs.writeFileSync(pool.hintPath, JSON.stringify({ [id]: { volid: 'VOL1', order: '1', size: 10 }, [pnfsid(2)]: { volid: 'VOL2', order: '1', size: 20 } }));
    writeRequest(pool, 1, 10, 120);
    const retriever = startDaemon('retriever', pool);
    await waitFor(() => readJournal(pool.library).some((e) => e.event === 'start' && e.command === 'retrieve'), 'the session started (and hangs)');
    writeRequest(pool, 2, 20);

    const { code, stdout } = await runProgram('endit', pool, ['plan', '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.retriever).toMatchObject({ running: true, pid: retriever.pid, busyWorkers: 1 });
    expect(plan.volumes).toEqual([
      expect.objectContaining({ rank: null, volume: 'VOL1', state: 'running', files: 1 }),
      expect.objectContaining({ rank: 1, volume: 'VOL2', state: 'waits', why: 'request list still filling' }),
    ]);
    expect(plan.volumes[0].driveEstimate.mountSec).toBe(0);
  });

  it('issue 11: a volume whose session ended a minute ago (the session history says so) starts as a follow-on, with no mount in its drive time', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 600, retriever_reqlistfillwaitmax: 3600 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    fs.writeFileSync(pool.hintPath, JSON.stringify({ [pnfsid(1)]: { volid: 'VOL1', order: '1', size: 10 }, [pnfsid(2)]: { volid: 'VOL2', order: '1', size: 10 } }));
    writeRequest(pool, 1, 10);
    writeRequest(pool, 2, 10);
    const endIso = new Date(Date.now() - 60_000).toISOString();
    const record = { time: endIso, daemon: 'retriever', hsm: 'testpool', volume: 'VOL1', pid: 1234, start: endIso, end: endIso, files: 5, bytes: 50, failed: 0, rc: 0, reason: 'list ready', followOn: false };
    fs.writeFileSync(path.join(pool.logdir, 'tsmretriever-sessions.jsonl'), `${JSON.stringify(record)}\n`);

    const json = await runProgram('endit', pool, ['plan', '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(plan.volumes).toEqual([
      expect.objectContaining({ rank: 1, volume: 'VOL1', priority: 'follow-on', state: 'starts', why: 'follow-on: tape still mounted', stillMounted: { endedAgoSec: expect.any(Number) } }),
      expect.objectContaining({ rank: 2, volume: 'VOL2', priority: 'work', state: 'waits', stillMounted: null }),
    ]);
    expect(plan.volumes[0].stillMounted.endedAgoSec).toBeGreaterThanOrEqual(60);
    expect(plan.volumes[0].driveEstimate.mountSec).toBe(0);
    expect(plan.volumes[1].driveEstimate.mountSec).toBeGreaterThan(0);
    expect(plan.history).toMatchObject({ file: path.join(pool.logdir, 'tsmretriever-sessions.jsonl'), found: true, sessions: 1 });

    const table = await runProgram('endit', pool, ['plan']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\s*1\s+VOL1\s.*\bstarts\b.*follow-on: tape still mounted \(its last session ended 1m0\ds ago\)$/m);
  });
});
