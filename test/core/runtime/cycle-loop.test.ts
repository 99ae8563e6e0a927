import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CycleLoop, type CycleGuard, type CycleLoopParts } from '../../../src/core/runtime/cycle-loop.js';
import { Waker } from '../../../src/core/runtime/waker.js';
import { snapshotOf } from '../config/helpers.js';

const SLEEP_MS = 10_000;

interface Harness {
  readonly loop: CycleLoop;
  readonly lines: string[];
  /** The skipDelays flag of each cycle run. */
  readonly cycles: boolean[];
  readonly parts: CycleLoopParts & {
    config: { reload: ReturnType<typeof vi.fn>; refreshOverride: ReturnType<typeof vi.fn> };
    shutdown: ReturnType<typeof vi.fn>;
    exitNow: ReturnType<typeof vi.fn>;
    afterCycle: ReturnType<typeof vi.fn>;
  };
  guard: CycleGuard;
  /** What the next cycles do: a wait in ms, or an error to throw. */
  outcomes: Array<number | Error>;
}

function harness(): Harness {
  const lines: string[] = [];
  const cycles: boolean[] = [];
  const h = { lines, cycles, guard: 'run' as CycleGuard, outcomes: [] as Array<number | Error> } as Harness;
  const parts = {
    behaviour: {
      cycle: async ({ skipDelays }: { skipDelays: boolean }) => {
        cycles.push(skipDelays);
        const outcome = h.outcomes.shift() ?? 60_000;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    },
    config: {
      current: snapshotOf(`sleeptime: ${SLEEP_MS / 1000}`, 'retry_backoff_max: 35'),
      reload: vi.fn(async () => true),
      refreshOverride: vi.fn(async () => false),
    },
    logger: {
      info: (msg: string) => lines.push(`info ${msg}`),
      warn: (code: string, msg: string) => lines.push(`warn [${code}] ${msg}`),
      error: (code: string, msg: string) => lines.push(`error [${code}] ${msg}`),
      debug: () => {},
      setLevels: () => {},
    },
    waker: new Waker(),
    guard: () => h.guard,
    afterCycle: vi.fn(async () => {}),
    shutdown: vi.fn(async () => {}),
    exitNow: vi.fn(),
  };
  Object.assign(h, { parts, loop: new CycleLoop(parts as unknown as CycleLoopParts) });
  return h;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CycleLoop', () => {
  it('runs a cycle, sleeps the time it asked for, runs the next; stats after each', async () => {
    const h = harness();
    h.outcomes.push(5_000, 7_000);
    void h.loop.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.cycles).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(h.cycles).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.cycles).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(h.cycles).toHaveLength(3);
    expect(h.parts.afterCycle).toHaveBeenCalledTimes(3);
    expect(h.parts.config.refreshOverride).toHaveBeenCalledTimes(3);
  });

  it('a reload wakes the loop and re-reads the configuration once, instead of the override check', async () => {
    const h = harness();
    void h.loop.run();
    await vi.advanceTimersByTimeAsync(1_000);
    h.loop.handlers.reload();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.cycles).toHaveLength(2);
    expect(h.parts.config.reload).toHaveBeenCalledTimes(1);
    expect(h.parts.config.refreshOverride).toHaveBeenCalledTimes(1);
    expect(h.lines).toEqual(['info Got SIGHUP, reloading configuration']);
  });

  it('skipDelays reaches the next cycle once', async () => {
    const h = harness();
    void h.loop.run();
    await vi.advanceTimersByTimeAsync(1_000);
    h.loop.handlers.skipDelays();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.cycles).toEqual([false, true, false]);
  });

  it('backs off after failed cycles: sleeptime·2^(n−1), capped at retry_backoff_max; a success resets it', async () => {
    const h = harness();
    h.outcomes.push(new Error('out/: EIO'), new Error('out/: EIO'), new Error('out/: EIO'), 1_000, new Error('out/: EIO'));
    void h.loop.run();
    await vi.advanceTimersByTimeAsync(0);
    const cyclesAfter = async (ms: number): Promise<number> => {
      await vi.advanceTimersByTimeAsync(ms);
      return h.cycles.length;
    };
    expect(await cyclesAfter(9_999)).toBe(1);
    expect(await cyclesAfter(1)).toBe(2);
    expect(await cyclesAfter(19_999)).toBe(2);
    expect(await cyclesAfter(1)).toBe(3);
    expect(await cyclesAfter(34_999)).toBe(3); // 40 s capped at 35 s
    expect(await cyclesAfter(1)).toBe(4);
    expect(await cyclesAfter(1_000)).toBe(5);
    expect(await cyclesAfter(9_999)).toBe(5);
    expect(await cyclesAfter(1)).toBe(6);
    expect(h.lines.filter((l) => l.startsWith('error'))).toEqual([
      'error [cycle_failed] cycle failed (1 in a row, retrying in 10 s): out/: EIO',
      'error [cycle_failed] cycle failed (2 in a row, retrying in 20 s): out/: EIO',
      'error [cycle_failed] cycle failed (3 in a row, retrying in 35 s): out/: EIO',
      'error [cycle_failed] cycle failed (1 in a row, retrying in 10 s): out/: EIO',
    ]);
  });

  it('stop during a sleep ends the loop at once; every caller gets the same promise; shutdown runs once', async () => {
    const h = harness();
    const running = h.loop.run();
    await vi.advanceTimersByTimeAsync(1_000);
    const first = h.loop.stop();
    const second = h.loop.stop();
    expect(second).toBe(first);
    expect(h.loop.run()).toBe(running);
    expect(running).toBe(first);
    let done = false;
    void first.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(h.cycles).toHaveLength(1);
    expect(h.parts.shutdown).toHaveBeenCalledTimes(1);
    expect(h.parts.shutdown).toHaveBeenCalledWith('stopped');
    expect(h.loop.end).toBe('stopped');
  });

  it('a stop signal lets the cycle under way finish, then stops without sleeping; a second one forces', async () => {
    const h = harness();
    let finishCycle: (ms: number) => void = () => {};
    h.parts.behaviour.cycle = () => new Promise<number>((resolve) => (finishCycle = resolve));
    const stopped = h.loop.run();
    await vi.advanceTimersByTimeAsync(0);
    h.loop.handlers.stop('SIGTERM', false);
    expect(h.parts.shutdown).not.toHaveBeenCalled();
    h.loop.handlers.stop('SIGINT', true);
    expect(h.parts.exitNow).toHaveBeenCalledWith(0);
    finishCycle(60_000);
    await stopped;
    expect(h.parts.shutdown).toHaveBeenCalledTimes(1);
    expect(h.lines).toEqual(['info Got SIGTERM, stopping', 'warn [forced_stop] SIGINT again: stopping at once']);
  });

  it('a stop before run() ends it before any cycle', async () => {
    const h = harness();
    const stopped = h.loop.stop();
    void h.loop.run();
    await stopped;
    expect(h.cycles).toEqual([]);
    expect(h.parts.shutdown).toHaveBeenCalledTimes(1);
  });

  it('a guard saying skip sleeps sleeptime without a cycle; saying stop ends the loop as lock-lost', async () => {
    const h = harness();
    h.guard = 'skip';
    const stopped = h.loop.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.cycles).toEqual([]);
    expect(h.parts.afterCycle).toHaveBeenCalledTimes(1);
    h.guard = 'stop';
    await vi.advanceTimersByTimeAsync(SLEEP_MS);
    await stopped;
    expect(h.cycles).toEqual([]);
    expect(h.parts.shutdown).toHaveBeenCalledWith('lock-lost');
    expect(h.loop.end).toBe('lock-lost');
  });
});
