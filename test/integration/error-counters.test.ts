import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROGRAM_LOG_CODES } from '../../src/core/log/index.js';
import { seedObject } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, promPath, readLog, readStats, startDaemon, waitFor, type DaemonProgram, type TestPool } from './harness.js';

function writeRecall(pool: TestPool, id: string, sizeBytes: number): void {
  fs.mkdirSync(pool.path('request'), { recursive: true });
  fs.writeFileSync(
    pool.path('request', id),
    JSON.stringify({ file_size: sizeBytes, parent_pid: process.pid, time: Math.floor(Date.now() / 1000), storage_class: 'test:tape@osm', path: `/pnfs/test/${id}`, action: 'recall' }),
  );
}

describe('error counters', () => {
  it('fault 3: each daemon writes every error code it can log, at 0, from its first stats on', async () => {
    const pool = createTestPool();
    const daemons: DaemonProgram[] = ['archiver', 'retriever', 'deleter'];
    for (const d of daemons) startDaemon(d, pool);
    await waitFor(() => daemons.every((d) => readStats(pool, d) !== null && fs.existsSync(promPath(pool, d))), 'stats of all three');
    for (const d of daemons) {
      const stats = readStats(pool, d) ?? {};
      const prom = fs.readFileSync(promPath(pool, d), 'utf8');
      for (const code of PROGRAM_LOG_CODES[d]) {
        expect(stats[`${d}_errors_${code}`], `${d} ${code}`).toBe(0);
        expect(prom).toContain(`endit_${d}_errors{hsm="testpool",code="${code}"} 0\n`);
      }
      expect(stats[`${d}_errors`]).toBe(0);
    }
  });

  it('a retrieve session printing ANS1247I (informational) raises no error count; the missing file does', async () => {
    const pool = createTestPool({ retriever_buffersize: 1, retriever_reqlistfillwait: 1, retriever_reqlistfillwaitmax: 2 });
    const [onTape, missing] = [pnfsid(1), pnfsid(2)];
    seedObject(pool.library, { path: pool.path('out', onTape), sizeBytes: 10, content: Buffer.alloc(10, 1) });
    writeRecall(pool, onTape, 10);
    writeRecall(pool, missing, 20);
    startDaemon('retriever', pool);
    await waitFor(() => readStats(pool, 'retriever')?.['retriever_staged_files'] === 1 && readStats(pool, 'retriever')?.['retriever_errors_recall_failed'] === 1, 'one staged, one failed');
    const ans1247 = readLog(pool, 'retriever').split('\n').filter((line) => line.includes('ANS1247I'));
    // dsmc ended with rc 8 (ANS1345E): its messages are logged, ANS1247I at info level.
    expect(ans1247.length).toBeGreaterThan(0);
    for (const line of ans1247) expect(line).not.toMatch(/Warning:|Error:/);
    expect(readStats(pool, 'retriever')).toMatchObject({ retriever_errors_dsmc_message: 0 });
  });
});
