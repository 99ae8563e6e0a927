/**
 * TrashQueuer with a trash/ listing that takes as long as the test says (a
 * million trash files take seconds to queue): the cycle must not wait for it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import type { DaemonContext } from '../../src/core/runtime/index.js';
import type { TrashBatch, TrashQueued } from '../../src/deleter/trash.js';

/** The listing under test control: it ends when the test says, or when it is aborted. */
const listing = vi.hoisted(() => ({
  onBatch: undefined as ((batch: TrashBatch) => void) | undefined,
  end: undefined as ((queued: TrashQueued) => void) | undefined,
}));

vi.mock('../../src/deleter/trash.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/deleter/trash.js')>();
  return {
    ...real,
    queueTrash: (_trash: string, _queue: string, _nowMs: number, hooks: { onBatch?: (batch: TrashBatch) => void }, signal?: AbortSignal) =>
      new Promise<TrashQueued>((resolve) => {
        listing.onBatch = hooks.onBatch;
        listing.end = resolve;
        signal?.addEventListener('abort', () => resolve({ ids: 0, files: [], batches: [], error: null }));
      }),
  };
});

const { TrashQueuer } = await import('../../src/deleter/trash-queuer.js');

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-trash-queuer-'));
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  fs.rmSync(root, { recursive: true, force: true });
});

function queuer(): { queuer: InstanceType<typeof TrashQueuer>; wakes: () => number; lines: string[]; batches: TrashBatch[] } {
  const lines: string[] = [];
  const log = (line: string): void => void lines.push(line);
  const logger = { info: log, verbose: log, debug: log, warn: (_c: string, l: string) => log(l), error: (_c: string, l: string) => log(l), isVerbose: false, isDebug: true } as unknown as Logger;
  let wakes = 0;
  const batches: TrashBatch[] = [];
  const ctx = { logger, pool: { trash: root, queue: path.join(root, 'queue') }, wake: () => void wakes++ } as unknown as DaemonContext;
  return { queuer: new TrashQueuer(ctx, (batch) => batches.push(batch), () => false), wakes: () => wakes, lines, batches };
}

describe('TrashQueuer while trash/ takes long to queue', () => {
  it('item 4: the cycle waits at most waitMs; queueing goes on, wakes the cycle per batch and at its end; trash/ is not listed twice', async () => {
    const { queuer: q, wakes, batches } = queuer();
    let returned = false;
    const cycle = q.queueNew(0, 500).then(() => (returned = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(returned).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await cycle;
    expect(q.isQueueing).toBe(true);

    await q.queueNew(1, 500); // the next cycle: still queueing, no second listing
    expect(q.isQueueing).toBe(true);
    const wakesBefore = wakes();
    listing.onBatch?.({ name: '1', ids: [] });
    expect(batches).toHaveLength(1);
    expect(wakes()).toBe(wakesBefore + 1); // a waiting SIGUSR1 pass can take this batch
    listing.end?.({ ids: 0, files: ['1'], batches: [], error: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(q.isQueueing).toBe(false);
    expect(wakes()).toBeGreaterThan(wakesBefore + 1); // the held slot can run now
  });

  it('item 4: stop() ends a queueing under way at once', async () => {
    const { queuer: q } = queuer();
    await Promise.all([q.queueNew(0, 500), vi.advanceTimersByTimeAsync(500)]);
    expect(q.isQueueing).toBe(true);
    await q.stop();
    expect(q.isQueueing).toBe(false);
  });
});
