// A missing or misbehaving dsmc under a real daemon (npm run build first).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listObjects, readJournal, type JournalEndEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, isAlive, logLines, pnfsid, readLog, startDaemon, waitFor, type TestPool } from './harness.js';

function flush(pool: TestPool, id: string): void {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  fs.writeFileSync(pool.path('out', id), 'data');
}

describe('the archiver with a dsmc_executable that cannot run', () => {
  it.each([
    ['missing', (pool: TestPool) => path.join(pool.root, 'no-such-dir', 'dsmc'), 'not found'],
    ['not executable', (pool: TestPool) => {
      const file = path.join(pool.root, 'dsmc');
      fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
      return file;
    }, 'not executable'],
  ])('fault 16: %s: the log names the path and the problem, and the file stays in out/', async (_name, make, problem) => {
    const pool = createTestPool({ archiver_timeout: 1 });
    const executable = make(pool);
    pool.writeConfig({ dsmc_executable: executable });
    const id = pnfsid(16);
    flush(pool, id);
    startDaemon('archiver', pool);
    await waitFor(() => logLines(pool, 'archiver', `dsmc_executable ${executable}: ${problem}`).length > 0, 'the log line naming the path');
    expect(logLines(pool, 'archiver', `dsmc_executable ${executable}: ${problem}`)[0]).toContain('[dsmc_failed]');
    expect(fs.existsSync(pool.path('out', id))).toBe(true);
  });
});

describe('the archiver with a dsmc that leaves a child holding its output', () => {
  it('fault 9: the session ends when dsmc exits, the files count as flushed, the child is killed', async () => {
    const pool = createTestPool({ archiver_timeout: 1 }, { rules: [{ command: 'archive', action: 'hold-stdout' }] });
    const id = pnfsid(9);
    flush(pool, id);
    startDaemon('archiver', pool);
    const end = (): JournalEndEntry | undefined => readJournal(pool.library).find((e): e is JournalEndEntry => e.event === 'end');
    await waitFor(() => end() !== undefined, 'the fake dsmc ends');
    const holder = end()?.holderPid ?? -1;
    try {
      await waitFor(() => /Archive session \S+ done: 1 files flushed/.test(readLog(pool, 'archiver')), 'the session is done');
      await waitFor(() => !isAlive(holder), 'the holder is killed');
    } finally {
      if (holder > 0 && isAlive(holder)) process.kill(holder, 'SIGKILL');
    }
    expect(listObjects(pool.library).map((o) => o.id)).toEqual([id]);
  });
});
