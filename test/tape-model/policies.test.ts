import { describe, expect, it } from 'vitest';
import { createEnditRulesPolicy, createTodayPolicy, defaultRetrieverSettings } from '../../src/tape-model/policies.js';
import type { SimView } from '../../src/tape-model/policy-adapter.js';
import type { TraceRequest } from '../../src/tape-model/trace.js';

const MIN = 60_000;
const settings = defaultRetrieverSettings(2);

/** `count` requests on `volume` arriving one per second from `fromMs`, their tape positions scrambled. */
function requests(volume: string, count: number, fromMs: number): TraceRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${volume}-${String(i).padStart(3, '0')}`,
    volume,
    arrivalMs: fromMs + i * 1000,
    positionBytes: ((i * 7919) % count) * 1e9,
    sizeBytes: 1e9,
  }));
}

function view(nowMs: number, lists: TraceRequest[][], running: string[] = []): SimView {
  return {
    nowMs,
    pending: new Map(lists.map((list) => [list[0]?.volume ?? '', list])),
    running: running.map((volume) => ({ volume, stillToLandBytes: 1e9 })),
  };
}

const positions = (list: readonly TraceRequest[]): number[] => list.map((r) => r.positionBytes);

describe('defaultRetrieverSettings', () => {
  it('takes the configuration defaults', () => {
    expect(settings).toMatchObject({ maxWorkers: 2, remountDelayMs: 7200_000, fillWaitMs: 600_000, fillWaitMaxMs: 7200_000, sleepMs: 60_000 });
  });
});

describe.each([
  { name: 'endit-rules', make: () => createEnditRulesPolicy(settings, 1) },
  { name: 'today', make: () => createTodayPolicy(settings) },
])('$name adapter', ({ make }) => {
  it('waits while a list fills, then starts the oldest volumes first, at most maxworkers', () => {
    const policy = make();
    const lists = [requests('C', 5, 2 * MIN), requests('A', 5, 0), requests('B', 5, MIN)];
    expect(policy.decide(view(5 * MIN, lists)).sessions).toEqual([]);
    const decision = policy.decide(view(13 * MIN, lists));
    expect(decision.sessions.map((s) => s.volume)).toEqual(['A', 'B']);
    expect(decision.nextCycleMs).toBeGreaterThan(13 * MIN);
  });

  it('skips a running volume, and one mounted less than the remount delay ago', () => {
    const policy = make();
    const a = requests('A', 3, 0);
    expect(policy.decide(view(11 * MIN, [a])).sessions).toHaveLength(1);
    policy.sessionEnded('A', false, 12 * MIN);
    // The daemon wakes when a session ends (today's policy records the end then).
    expect(policy.decide(view(12 * MIN, [])).sessions).toEqual([]);
    const again = requests('A', 3, 13 * MIN);
    expect(policy.decide(view(30 * MIN, [again], [])).sessions).toEqual([]);
    expect(policy.decide(view(12 * MIN + 7200_000 + MIN, [again])).sessions.map((s) => s.volume)).toEqual(['A']);
  });
});

describe('list order', () => {
  const list = requests('A', 20, 0);
  const sorted = [...positions(list)].sort((a, b) => a - b);

  it('today: in tape order', () => {
    const [session] = createTodayPolicy(settings).decide(view(11 * MIN, [list])).sessions;
    expect(positions(session?.requests ?? [])).toEqual(sorted);
  });

  it('endit-rules: in random (hash) order, the same for the same seed', () => {
    const order = (seed: number): number[] => positions(createEnditRulesPolicy(settings, seed).decide(view(11 * MIN, [list])).sessions[0]?.requests ?? []);
    expect([...order(1)].sort((a, b) => a - b)).toEqual(sorted);
    expect(order(1)).not.toEqual(sorted);
    expect(order(1)).toEqual(order(1));
  });
});
