/**
 * A backlog of requests found at start-up is read a slice a cycle, after the
 * first sessions could start; `retriever_requests_unread_files` says how many
 * are still unread (until then `retriever_requests_bytes` counts them at
 * their hint file size). The bench waits for it to reach 0 before it
 * measures the retriever's steady CPU.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestPool, pnfsid, readStats, startDaemon, waitFor } from './harness.js';

/** More than one cycle reads (20,000). */
const N = 50_000;
const HINT_SIZE = 1;
const FILE_SIZE = 7;

describe('retriever_requests_unread_files', () => {
  it('counts the requests not read yet, then falls to 0 as the background reading completes, with their bytes known', async () => {
    const pool = createTestPool({ retriever_reqlistfillwait: 3600, retriever_reqlistfillwaitmax: 7200 });
    const hints: Record<string, { volid: string; order: string; size: number }> = {};
    fs.mkdirSync(pool.path('request'), { recursive: true });
    const time = Math.floor(Date.now() / 1000);
    for (let i = 0; i < N; i++) {
      const id = pnfsid(i);
      hints[id] = { volid: `V${String(i % 100).padStart(3, '0')}`, order: String(i), size: HINT_SIZE };
      const request = { action: 'recall', file_size: FILE_SIZE, parent_pid: process.pid, time, storage_class: 'test:tape@osm', path: `/pnfs/test/${id}` };
      fs.writeFileSync(pool.path('request', id), JSON.stringify(request));
    }
    fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
    pool.writeConfig({ retriever_hintfile: pool.hintPath });

    const daemon = startDaemon('retriever', pool);
    try {
      const seen: number[] = [];
      await waitFor(() => {
        const stats = readStats(pool, 'retriever');
        if (stats?.['retriever_requests_files'] !== N) return false;
        seen.push(stats['retriever_requests_unread_files'] as number);
        return stats['retriever_requests_unread_files'] === 0;
      }, 'every request read', 60_000);
      // Some stats were written while part of the backlog was still unread.
      expect(Math.max(...seen)).toBeGreaterThan(0);
      expect(Math.max(...seen)).toBeLessThan(N);
      const stats = readStats(pool, 'retriever');
      expect(stats?.['retriever_requests_unread_files']).toBe(0);
      expect(stats?.['retriever_requests_bytes']).toBe(N * FILE_SIZE);
      // Nothing was due: the backlog is read, not recalled.
      expect(fs.readdirSync(pool.path('request'))).toHaveLength(N);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
