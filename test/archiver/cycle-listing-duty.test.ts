/**
 * The archiver's cycle with the clock given as data: a listing of out/ that
 * only looks for changes runs at most one tenth of the time (a listing of
 * ten million names takes 40 s and more; with sleeptime 60 s they would run
 * back to back). Real pool directory; the listing's length is simulated by
 * moving the cycle's clock while out/ is opened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createArchiver } from '../../src/archiver/cycle.js';
import type { DaemonBehaviour } from '../../src/core/runtime/index.js';
import { daemonTestContext, testId as id } from '../daemon-context.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-archiver-duty-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Harness {
  readonly archiver: DaemonBehaviour;
  readonly out: string;
  cycleAt(nowMs: number): Promise<void>;
  /** Listings of out/ begun so far. */
  listings(): number;
}

async function harness(startMs: number, listingTakesMs: number): Promise<Harness> {
  const dir = path.join(root, 'pool');
  fs.mkdirSync(dir);
  let now = startMs;
  let listings = 0;
  // Nothing here is ever due for a flush: the test is about looking, not sessions.
  const { context, pool } = daemonTestContext({ daemon: 'archiver', root, dir, hsm: 'duty', config: { archiver_timeout: 864_000 }, nowMs: () => now, startedMs: startMs });
  const opendir = fs.promises.opendir.bind(fs.promises);
  vi.spyOn(fs.promises, 'opendir').mockImplementation((where, options) => {
    if (path.resolve(String(where)) === pool.out) {
      listings++;
      now += listingTakesMs;
    }
    return opendir(where, options);
  });
  const archiver = await createArchiver(context);
  return {
    archiver,
    out: pool.out,
    listings: () => listings,
    async cycleAt(nowMs) {
      now = nowMs;
      await archiver.cycle({ skipDelays: false });
    },
  };
}

const put = (h: Harness, n: number): void => fs.writeFileSync(path.join(h.out, id(n)), 'x');
const known = (h: Harness): number => h.archiver.figures()['archiver_usage_files'] as number;

describe('listings of out/ that look for changes (issue 15: ten million files)', () => {
  it('wait ten times as long as the last listing took, when that is longer than sleeptime', async () => {
    const t0 = Date.now();
    const h = await harness(t0, 45_000);
    put(h, 1);
    await h.cycleAt(t0);
    expect(h.listings()).toBe(1);
    expect(known(h)).toBe(1);

    put(h, 2);
    // Sleeptime (60 s) has passed twice over, but the last listing took 45 s: the next is due 450 s after its start.
    await h.cycleAt(t0 + 120_000);
    await h.cycleAt(t0 + 449_000);
    expect(h.listings()).toBe(1);
    expect(known(h)).toBe(1);

    await h.cycleAt(t0 + 450_000);
    expect(h.listings()).toBe(2);
    expect(known(h)).toBe(2);
  });

  it('keep to sleeptime where a listing is short', async () => {
    const t0 = Date.now();
    const h = await harness(t0, 500);
    put(h, 1);
    await h.cycleAt(t0);
    put(h, 2);
    await h.cycleAt(t0 + 60_000);
    expect(h.listings()).toBe(2);
    expect(known(h)).toBe(2);
  });
});
