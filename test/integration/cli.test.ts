import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listObjects } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, readStats, runProgram, startDaemon, waitFor, type TestPool } from './harness.js';

interface StatusJson {
  ok: boolean;
  verdict: string;
  daemons: { name: string; running: boolean; pid: number | null; health: string; pending: { files: number } | null }[];
}

async function statusJson(pool: TestPool): Promise<{ code: number | null; json: StatusJson }> {
  const { code, stdout } = await runProgram('endit', pool, ['status', '--json']);
  return { code, json: JSON.parse(stdout) as StatusJson };
}

function daemon(json: StatusJson, name: string) {
  return json.daemons.find((d) => d.name === name);
}

describe('endit status on real daemons', () => {
  it('shows running daemons with their pids, then DOWN and exit 1 as soon as one has stopped', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 });
    const archiver = startDaemon('archiver', pool);
    const deleter = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'archiver') !== null && readStats(pool, 'deleter') !== null, 'first stats');
    fs.writeFileSync(pool.path('out', pnfsid(1)), 'x'.repeat(1000));
    await waitFor(() => readStats(pool, 'archiver')?.['archiver_pending_files'] === 1, 'pending file seen');

    const running = await statusJson(pool);
    expect(running.code).toBe(0);
    expect(daemon(running.json, 'archiver')).toMatchObject({ running: true, pid: archiver.pid, health: 'ok', pending: { files: 1 } });
    expect(daemon(running.json, 'deleter')).toMatchObject({ running: true, pid: deleter.pid, health: 'ok' });
    expect(daemon(running.json, 'retriever')).toMatchObject({ running: false, health: 'absent' });
    const table = await runProgram('endit', pool, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^archiver\\s+running \\(${archiver.pid}\\)\\s+\\d+s\\s+1 file, 1000 B`, 'm'));

    archiver.child.kill('SIGTERM');
    expect((await archiver.exited).code).toBe(0);
    // fault 6: gone is DOWN at once, though its last figures are still fresh.
    const down = await statusJson(pool);
    expect(down.code).toBe(1);
    expect(daemon(down.json, 'archiver')).toMatchObject({ running: false, pid: null, health: 'down' });
    expect(daemon(down.json, 'deleter')).toMatchObject({ running: true, health: 'ok' });
    expect(down.json.verdict).toMatch(/^ENDIT PROBLEM - testpool: archiver DOWN \(not running: no live process holds its lock/);
    // Stopped on purpose: not a problem when the administrator says only the deleter should run.
    const { code, stdout } = await runProgram('endit', pool, ['status', '--expect', 'deleter']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^archiver\s+disabled/m);
  });

  it('check-config accepts the daemons\' configuration and shows where values come from', async () => {
    const pool = createTestPool({ retriever_maxworkers: 2 });
    fs.writeFileSync(pool.overridePath, JSON.stringify({ retriever_maxworkers: '4' }));
    const ok = await runProgram('endit', pool, ['check-config']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^retriever_maxworkers\s+4\s+override$/m);
    expect(ok.stdout).toMatch(/^sleeptime\s+1\s+file$/m);
    expect(ok.stdout).toMatch(/^retriever_buffersize\s+100\s+default$/m);
    fs.writeFileSync(pool.overridePath, JSON.stringify({ retriever_maxworkers: 0 }));
    const bad = await runProgram('endit', pool, ['check-config']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${pool.overridePath}: retriever_maxworkers`);
  });

  it('pertape shows what endit-tapehints found on each volume, and the recall queue', async () => {
    const pool = createTestPool({ archiver_timeout: 1 });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    for (const sub of ['out', 'request']) fs.mkdirSync(pool.path(sub));
    pool.writeScenario({ filesPerVolume: 3 });
    const ids = [1, 2, 3, 4, 5, 6, 7].map(pnfsid);
    for (const [i, id] of ids.entries()) fs.writeFileSync(pool.path('out', id), Buffer.alloc(1000 * (i + 1)));
    const archiver = startDaemon('archiver', pool);
    await waitFor(() => fs.readdirSync(pool.path('out')).length === 0, 'all flushed');
    archiver.child.kill('SIGTERM');
    await archiver.exited;
    expect((await runProgram('endit-tapehints', pool)).code).toBe(0);

    const { code, stdout } = await runProgram('endit', pool, ['pertape', '--format', 'json']);
    expect(code).toBe(0);
    const expected = new Map<string, { files: number; bytes: number }>();
    // the hint's volid is the Volume ID query archive prints: a number, as real dsmc's
    for (const o of listObjects(pool.library)) {
      const v = expected.get(String(o.volumeId)) ?? { files: 0, bytes: 0 };
      expected.set(String(o.volumeId), { files: v.files + 1, bytes: v.bytes + o.sizeBytes });
    }
    expect(expected.size).toBe(3);
    const shown = (JSON.parse(stdout) as { volumes: { volume: string; files: number; bytes: number }[] }).volumes;
    expect(new Map(shown.map((v) => [v.volume, { files: v.files, bytes: v.bytes }]))).toEqual(expected);

    const volumeOf = new Map(listObjects(pool.library).map((o) => [o.id, String(o.volumeId)]));
    for (const id of [ids[0], ids[1], ids[6]] as string[]) {
      fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: 1, parent_pid: process.pid, action: 'recall' }));
    }
    const queue = await runProgram('endit', pool, ['pertape', '--queue', '--format', 'ids']);
    expect(queue.code).toBe(0);
    const lines = queue.stdout.trim().split('\n').map((line) => line.split(' '));
    expect(lines).toEqual([
      [volumeOf.get(ids[0] as string), ids[0], ids[1]],
      [volumeOf.get(ids[6] as string), ids[6]],
    ]);
  });
});
