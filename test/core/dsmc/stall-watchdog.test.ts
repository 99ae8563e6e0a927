import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StallWatchdog, stallCheckMs } from '../../../src/core/dsmc/stall-watchdog.js';

describe('stallCheckMs', () => {
  it.each([
    [1_000, 100],
    [500, 100],
    [30_000, 3_000],
    [1_800_000, 60_000],
  ])('checks a %i ms timeout every %i ms', (stallMs, checkMs) => {
    expect(stallCheckMs(stallMs)).toBe(checkMs);
  });
});

describe('the stall watchdog (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function watchdog(stallMs: number, probe?: () => number): { dog: StallWatchdog; stalls: number[] } {
    const stalls: number[] = [];
    const dog = new StallWatchdog({ stallMs, ...(probe === undefined ? {} : { probe }) }, (idleMs) => stalls.push(idleMs), () => Date.now());
    return { dog, stalls };
  }

  it('fires once, stallMs after the start, when nothing happens', () => {
    const { stalls } = watchdog(10_000);
    vi.advanceTimersByTime(9_999);
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(stalls).toEqual([10_000]);
    vi.advanceTimersByTime(100_000);
    expect(stalls).toHaveLength(1);
  });

  it('an output line (touch) restarts the count', () => {
    const { dog, stalls } = watchdog(10_000);
    vi.advanceTimersByTime(8_000);
    dog.touch();
    vi.advanceTimersByTime(9_000);
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(stalls).toEqual([10_000]);
  });

  it('a change of the probe counts as activity; an unchanged probe does not', () => {
    let landedBytes = 0;
    const { stalls } = watchdog(10_000, () => landedBytes);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(5_000);
      landedBytes += 1000; // bytes keep landing, no line printed
    }
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(11_000);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(10_000);
  });

  it('a probe that throws counts as no change', () => {
    const { stalls } = watchdog(1_000, () => {
      throw new Error('EIO');
    });
    vi.advanceTimersByTime(1_000);
    expect(stalls).toEqual([1_000]);
  });

  it('never fires once stopped', () => {
    const { dog, stalls } = watchdog(1_000);
    dog.stop();
    vi.advanceTimersByTime(10_000);
    expect(stalls).toEqual([]);
  });

  it('looks at the probe once per check, not per line (a flood costs nothing)', () => {
    const probe = vi.fn(() => 0);
    const { dog } = watchdog(1_800_000, probe);
    for (let i = 0; i < 100_000; i++) dog.touch();
    expect(probe).toHaveBeenCalledTimes(1); // at the start
    vi.advanceTimersByTime(60_000);
    expect(probe).toHaveBeenCalledTimes(2);
  });
});
