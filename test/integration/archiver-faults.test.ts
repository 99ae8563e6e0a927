import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listObjects, readJournal, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readStats, startDaemon, waitFor, waitForStatsSeconds, type TestPool } from './harness.js';

/** Puts files into out/ like dCache does. */
function flush(pool: TestPool, ids: string[], sizeBytes: number): void {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  for (const id of ids) fs.writeFileSync(pool.path('out', id), Buffer.alloc(sizeBytes, 1));
}

function archiveStarts(pool: TestPool): JournalStartEntry[] {
  return readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start' && e.command === 'archive');
}

/** Copies of `id` in the fake tape library. */
function copies(pool: TestPool, id: string): number {
  return listObjects(pool.library).filter((o) => o.id === id).length;
}

describe('endit-archiver faults', () => {
  it('fault 3: a symlink in out/ to a file outside the pool is never in a dsmc list; one odd_entry warning names it', async () => {
    const pool = createTestPool({ archiver_timeout: 1 });
    const secret = path.join(pool.root, 'passwd');
    fs.writeFileSync(secret, 'root:x:0:0::/root:/bin/sh\n');
    const link = pnfsid(1);
    fs.mkdirSync(pool.path('out'));
    fs.symlinkSync(secret, pool.path('out', link));
    const real = pnfsid(2);
    flush(pool, [real], 100);
    startDaemon('archiver', pool);
    await waitFor(() => copies(pool, real) === 1, 'the real file archived');
    await waitForStatsSeconds(pool, 'archiver', 3);
    for (const start of archiveStarts(pool)) expect(start.ids).not.toContain(link);
    expect(copies(pool, link)).toBe(0);
    expect(fs.readlinkSync(pool.path('out', link))).toBe(secret);
    const warnings = logLines(pool, 'archiver', '[odd_entry]');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${pool.path('out', link)}: skipped, a symlink is not a regular file`);
    expect(readStats(pool, 'archiver')?.['archiver_usage_files']).toBe(0);
  });
});
