import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { poolLayout } from '../../src/core/pool/index.js';
import type { RequestFileStat } from '../../src/retriever/scan-requests.js';

/** The listings the discovery starts, each finished by the test. */
const listings: Array<{ dir: string; onFile: (name: string, stat: RequestFileStat) => void; end: (count: number) => void }> = [];

vi.mock('../../src/retriever/request-lister.js', () => ({
  startListing: (dir: string, onFile: (name: string, stat: RequestFileStat) => void) => {
    let end: (count: number) => void = () => {};
    const done = new Promise<number>((resolve) => (end = resolve));
    listings.push({ dir, onFile, end });
    return { done };
  },
}));

const { RequestDiscovery, reconcileIntervalMs } = await import('../../src/retriever/request-discovery.js');
const { RequestCache } = await import('../../src/retriever/request-cache.js');
const { RequestDirWarnings } = await import('../../src/retriever/request-dir-warnings.js');

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
const quiet = (): void => {};
const logger: Logger = { info: quiet, verbose: quiet, debug: quiet, warn: quiet, error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };
const HOUR_MS = 3_600_000;

describe('RequestDiscovery: the first listing of request/ is waited for, a reconciling one is not', () => {
  let root: string;
  let discovery: InstanceType<typeof RequestDiscovery>;
  let cache: InstanceType<typeof RequestCache>;
  let listingEnds: number;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-discovery-'));
    const pool = poolLayout(root);
    fs.mkdirSync(pool.request, { recursive: true });
    cache = new RequestCache();
    listingEnds = 0;
    discovery = new RequestDiscovery(pool, cache, logger, new RequestDirWarnings(pool.request, logger), () => listingEnds++);
    listings.length = 0;
  });

  afterEach(() => {
    discovery.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const noHints = async (): Promise<void> => {};

  it('a reconciling listing lets the cycle go on (sessions keep starting) and wakes it when it ends', async () => {
    const first = discovery.discover(5000, 0, noHints);
    await vi.waitFor(() => expect(listings).toHaveLength(1));
    listings[0]?.onFile(id(1), { mtimeMs: 1, sizeBytes: 10 });
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(firstDone).toBe(false); // the cache is empty until the first listing ends: waited for
    listings[0]?.end(1);
    await first;
    expect(listingEnds).toBe(1);
    expect(cache.stateOf(id(1))).not.toBe(0);

    // An hour later a reconciling listing is due: discover returns while it runs.
    await discovery.discover(5000, HOUR_MS, noHints);
    expect(listings).toHaveLength(2);
    expect(discovery.listingPending).toBe(true);
    expect(cache.stateOf(id(1))).not.toBe(0); // what the cache knew stays in force meanwhile

    listings[1]?.onFile(id(2), { mtimeMs: 2, sizeBytes: 10 });
    listings[1]?.end(1);
    await vi.waitFor(() => expect(listingEnds).toBe(2));
    await discovery.discover(5000, HOUR_MS + 1000, noHints);
    expect(discovery.listingPending).toBe(false);
    expect(cache.stateOf(id(2))).not.toBe(0);
    expect(cache.stateOf(id(1))).toBe(0); // not listed the second time: gone
  });

  it('a long listing spaces the next reconciling one out: at least ten times as long as it took (by the cycle clock)', async () => {
    const first = discovery.discover(5000, 0, noHints);
    await vi.waitFor(() => expect(listings).toHaveLength(1));
    listings[0]?.end(0);
    await first;
    // The first listing took no time: the next is due a minute later (10 x sleeptime, at least a minute).
    await discovery.discover(5000, 59_000, noHints);
    expect(listings).toHaveLength(1);
    await discovery.discover(5000, 60_000, noHints);
    expect(listings).toHaveLength(2);
    // That one takes 100 s: seen complete by the cycle at 160 s.
    listings[1]?.end(0);
    await vi.waitFor(() => expect(listingEnds).toBe(2));
    await discovery.discover(5000, 160_000, noHints);
    expect(discovery.listingPending).toBe(false);
    await discovery.discover(5000, 60_000 + 999_000, noHints);
    expect(listings).toHaveLength(2); // not before 10 x 100 s after it began
    await discovery.discover(5000, 60_000 + 1_000_000, noHints);
    expect(listings).toHaveLength(3);
  });
});

describe('reconcileIntervalMs', () => {
  it.each([
    { sleepMs: 5000, lastTookMs: 0, want: 60_000 },
    { sleepMs: 60_000, lastTookMs: 0, want: 600_000 },
    { sleepMs: 3_600_000, lastTookMs: 0, want: 3_600_000 },
    { sleepMs: 5000, lastTookMs: 7000, want: 70_000 },
    { sleepMs: 5000, lastTookMs: 75_000, want: 750_000 },
    { sleepMs: 60_000, lastTookMs: 30_000, want: 600_000 },
    { sleepMs: 3_600_000, lastTookMs: 600_000, want: 6_000_000 },
  ])('sleeptime $sleepMs ms, last listing $lastTookMs ms: $want ms', ({ sleepMs, lastTookMs, want }) => {
    expect(reconcileIntervalMs(sleepMs, lastTookMs)).toBe(want);
  });
});
