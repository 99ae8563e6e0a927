/**
 * Issue 15 item 4: while the deleter removes many queued trash files, SIGTERM
 * stops it and SIGUSR1 starts the queue pass within 2 s (the requirement at a
 * million files; generous at this size). The size is chosen so that removing
 * the files takes a good part of a second; the signal goes once the removal
 * is under way (the first trash files gone).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, readLog, startDaemon, waitFor, type TestPool } from './harness.js';

const N = 40_000;
/** Issue 15 item 4's bound, generous at this size. */
const LIMIT_MS = 2000;

const isId = (name: string): boolean => /^[0-9A-F]+$/.test(name);
const trashIds = (pool: TestPool): string[] => fs.readdirSync(pool.path('trash')).filter(isId);
const queueFiles = (pool: TestPool): string[] => fs.readdirSync(pool.path('trash', 'queue')).filter((n) => /^\d+$/.test(n));
const queuedIds = (pool: TestPool): string[] =>
  queueFiles(pool).flatMap((n) => JSON.parse(fs.readFileSync(pool.path('trash', 'queue', n), 'utf8')) as string[]);

/** N trash files as dCache writes them (the tape URI), ids distinct and spread like real ones. */
function fillTrash(pool: TestPool): string[] {
  fs.mkdirSync(pool.path('trash', 'queue'), { recursive: true });
  const ids = Array.from({ length: N }, (_, i) => `0000${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).toUpperCase().padStart(8, '0')}5E6F708192A3B4C5D6E7F809`);
  for (const id of ids) fs.writeFileSync(pool.path('trash', id), `osm://pool/?store=s&group=g&bfid=${id}\n`);
  return ids;
}

/** Starts the deleter and waits until it has queued trash/ and removes the trash files (the first ones are gone). */
async function startRemoving(pool: TestPool): Promise<ReturnType<typeof startDaemon>> {
  const daemon = startDaemon('deleter', pool);
  await waitFor(() => queueFiles(pool).length > 0, 'the queue file written', 60_000);
  const deadline = Date.now() + 60_000;
  while (trashIds(pool).length === N) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the removal to start');
    await new Promise((r) => setTimeout(r, 2));
  }
  return daemon;
}

describe('endit-deleter stays responsive while it removes many trash files (issue 15 item 4)', () => {
  it('item 4: SIGTERM mid-removal: a clean exit within 2 s, the lock released, every id still in trash/ or in a queue file', async () => {
    const pool = createTestPool({ deleter_queueprocinterval: 'monthly' });
    const ids = fillTrash(pool);
    const daemon = await startRemoving(pool);
    daemon.child.kill('SIGTERM');
    const stopped = await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), LIMIT_MS))]);
    expect(stopped).toEqual({ code: 0, signal: null });
    // It did stop mid-removal: some ids were left for the next start.
    expect(logLines(pool, 'deleter', 'at stop: they are queued again at the next start')).toHaveLength(1);
    const left = trashIds(pool);
    expect(left.length).toBeGreaterThan(0);
    const kept = new Set([...left, ...queuedIds(pool)]);
    expect(ids.filter((id) => !kept.has(id))).toEqual([]);
    expect(fs.existsSync(pool.path('.endit-deleter.lock'))).toBe(false);
    expect(readLog(pool, 'deleter')).toMatch(/endit-deleter stopped/);
  });

  it('item 4: SIGUSR1 mid-removal is acted on within 2 s, the delete session starts while the removal goes on; both then finish', async () => {
    const pool = createTestPool({ deleter_queueprocinterval: 'monthly', debug: 1 });
    fillTrash(pool);
    const daemon = await startRemoving(pool);
    daemon.child.kill('SIGUSR1');
    await waitFor(() => /Processing the deletion queue as instructed by SIGUSR1/.test(readLog(pool, 'deleter')), 'SIGUSR1 acted on', LIMIT_MS);
    const deleteStarted = (): boolean => readJournal(pool.library).some((e) => e.event === 'start' && e.command === 'delete');
    await waitFor(deleteStarted, 'the delete session started', 10_000);
    await waitFor(() => trashIds(pool).length === 0 && queueFiles(pool).length === 0, 'trash/ and the queue emptied', 60_000);
    // The pass began before the removal ended: the signal did not wait for it.
    const log = readLog(pool, 'deleter');
    const processing = log.indexOf('Processing the deletion queue as instructed by SIGUSR1');
    const removed = log.indexOf(`Removed ${N} queued files from`);
    expect(processing).toBeGreaterThan(-1);
    expect(removed).toBeGreaterThan(processing);
    await waitFor(() => /Successfully deleted 40000 files/.test(readLog(pool, 'deleter')), 'the session confirmed');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});
