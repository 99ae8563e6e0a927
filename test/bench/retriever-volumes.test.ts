import { describe, expect, it } from 'vitest';
import { retrieverVolumes, turnarounds } from '../../src/bench/retriever-bench.js';
import type { JournalEvent } from '../../src/bench/journal-tail.js';

describe('retrieverVolumes: how many tapes the bench spreads N recalls over', () => {
  it.each([
    [1, 1],
    [300, 30],
    [10_000, 1000],
    [100_000, 1000],
    [1_000_000, 1000],
    // Issue 15: ten million requests over 10,000 volumes.
    [10_000_000, 10_000],
  ])('N=%i gives %i volumes', (n, volumes) => {
    expect(retrieverVolumes(n)).toBe(volumes);
  });
});

describe('turnarounds: the gap from a session end to the next session the daemon started', () => {
  const end = (timeMs: number, pid: number): JournalEvent => ({ event: 'end', timeMs, pid, command: 'retrieve' });
  const start = (timeMs: number, pid: number, spawnedMs?: number): JournalEvent => ({ event: 'start', timeMs, pid, command: 'retrieve', ...(spawnedMs === undefined ? {} : { spawnedMs }) });

  it("counts to the next dsmc process's start, not to the end of its own start-up", () => {
    // Session 2's fake began 100 ms after session 1 ended and wrote its start entry 300 ms later.
    expect(turnarounds([start(0, 1, 0), end(1000, 1), start(1400, 2, 1100), end(2000, 2), start(2350, 3, 2050)])).toEqual([0.1, 0.05]);
  });

  it('falls back to the start entry time in journals of older fakes', () => {
    expect(turnarounds([start(0, 1), end(1000, 1), start(1400, 2)])).toEqual([0.4]);
  });

  it('a session already running when another ended is not its successor (parallel sessions)', () => {
    expect(turnarounds([start(0, 1, 0), start(200, 2, 100), end(1000, 1), end(3000, 2), start(3500, 3, 3200)])).toEqual([2.2, 0.2]);
  });
});
