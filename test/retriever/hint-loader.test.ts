import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { HintLoader, planHintSlots } from '../../src/retriever/hint-loader.js';
import { RequestCache } from '../../src/retriever/request-cache.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';

function collectingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = (): void => {};
  return { warnings, info: quiet, verbose: quiet, debug: quiet, warn: (code, m) => warnings.push(`[${code}] ${m}`), error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };
}

describe('fault 12: HintLoader and a hint file that is not a regular file', async () => {
  let dir: string;
  let file: string;
  let logger: ReturnType<typeof collectingLogger>;
  let cache: RequestCache;
  let loader: HintLoader;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hint-loader-'));
    file = path.join(dir, 'hints.json');
    logger = collectingLogger();
    cache = new RequestCache();
    loader = new HintLoader(cache, logger);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a FIFO is one warning naming it, never opened; a regular file put in its place is loaded', async () => {
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(await loader.refresh(file)).toBe('failed');
    expect(await loader.refresh(file)).toBe('unchanged');
    expect(logger.warnings).toEqual([`[hintfile_invalid] hint file ${file} is not a regular file (a fifo); not read; all requests go to the default volume`]);
    fs.rmSync(file);
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    expect(await loader.refresh(file)).toBe('loaded');
    expect(cache.hintEntries).toBe(1);
  });

  it('a symlink to a regular file is followed (an administrator may set one up)', async () => {
    const real = path.join(dir, 'real.json');
    fs.writeFileSync(real, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    fs.symlinkSync(real, file);
    expect(await loader.refresh(file)).toBe('loaded');
    expect(logger.warnings).toEqual([]);
  });

  it('a directory keeps the hints in force', async () => {
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    expect(await loader.refresh(file)).toBe('loaded');
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(await loader.refresh(file)).toBe('failed');
    expect(cache.hintEntries).toBe(1);
    expect(logger.warnings).toEqual([`[hintfile_invalid] hint file ${file} is not a regular file (a directory); not read; the hints loaded before stay in force`]);
  });
});

describe('issue 15 item 4: the hint file loads in slices, built aside', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hint-loader-'));
    file = path.join(dir, 'hints.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
  /** `n` entries on `volume`; large enough that a load takes many slices. */
  function writeHints(n: number, volume: string): void {
    const hints: Record<string, { volid: string; order: string; size: number }> = {};
    for (let i = 0; i < n; i++) hints[id(i)] = { volid: volume, order: String(i), size: 1 };
    fs.writeFileSync(file, JSON.stringify(hints));
  }

  it('item 4: while a new file loads, the event loop has its turns and the hints in force stay whole; a stop abandons the load and keeps them', async () => {
    const cache = new RequestCache();
    const loader = new HintLoader(cache, collectingLogger());
    writeHints(10, 'OLD');
    expect(await loader.refresh(file)).toBe('loaded');
    cache.observe(id(5), 1000, 100);
    writeHints(100_000, 'NEW');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const stop = new AbortController();
    const loading = loader.refresh(file, stop.signal);
    let turns = 0;
    while (turns < 3) {
      await nextTurn();
      turns++;
      // Mid-load: the planner still sees the old file whole.
      expect(cache.volumeOf(id(5))).toBe('OLD');
      expect(cache.hintEntries).toBe(10);
    }
    stop.abort();
    expect(await loading).toBe('stopped');
    expect(cache.volumeOf(id(5))).toBe('OLD');
    expect(cache.hintEntries).toBe(10);
    // The slots the abandoned load made for ids without a request are free again.
    expect(cache.store.size).toBe(10);
    // Tried again (not taken as seen) next time, and then in force.
    expect(await loader.refresh(file)).toBe('loaded');
    expect(cache.volumeOf(id(5))).toBe('NEW');
    expect(cache.hintEntries).toBe(100_000);
  });
});

describe('planHintSlots (room made ahead for a hint file, never more than its entries)', () => {
  it.each([
    { what: 'empty file', fileBytes: 0, slots: 0 },
    { what: 'one small entry', fileBytes: 60, slots: 0 },
    { what: "our generator's 1M (92 bytes an entry)", fileBytes: 91_893_002, slots: 574_331 },
    { what: "dsmc's hex orders, 1M (about 125 bytes an entry)", fileBytes: 125_000_000, slots: 781_250 },
    { what: 'pretty-printed, 160 bytes an entry', fileBytes: 160_000_000, slots: 1_000_000 },
  ])('$what', ({ fileBytes, slots }) => {
    expect(planHintSlots(fileBytes)).toBe(slots);
  });
});
