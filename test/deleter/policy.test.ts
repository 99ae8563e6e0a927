import { describe, expect, it } from 'vitest';
import {
  decideDeleterCycle,
  initialDeleterState,
  nextScheduledRunMs,
  recordDeleteOutcome,
  type DeleterSettings,
  type DeleterState,
  type DeleterView,
} from '../../src/deleter/policy.js';
import { compileSchedule } from '../../src/deleter/schedule.js';
import { drawSkewMs } from '../../src/deleter/settings.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => new Date(y, mo - 1, d, h, mi, s).getTime();

const settings: DeleterSettings = {
  schedule: compileSchedule('0 0 1 * *'),
  skewMs: 17_000,
  sleepMs: 60_000,
  backoffMaxMs: 3_600_000,
  volumeQuietMs: 0,
};

const START = at(2024, 1, 15, 10);

function view(over: Partial<DeleterView>): DeleterView {
  return { nowMs: START, skipDelays: false, sessionRunning: false, trashQueueing: false, queueFiles: 1, held: null, ...over };
}

function state(over: Partial<DeleterState> = {}): DeleterState {
  return { ...initialDeleterState(START), ...over };
}

describe('nextScheduledRunMs', () => {
  it('is the next slot plus the skew', () => {
    expect(nextScheduledRunMs(settings, START)).toBe(at(2024, 2, 1) + 17_000);
    // within the skew after a slot, that slot's run is still ahead
    expect(nextScheduledRunMs(settings, at(2024, 2, 1, 0, 0, 5))).toBe(at(2024, 2, 1, 0, 0, 17));
    expect(nextScheduledRunMs(settings, at(2024, 2, 1, 0, 0, 17))).toBe(at(2024, 3, 1, 0, 0, 17));
  });
});

describe('drawSkewMs', () => {
  it.each([
    [0, 0],
    [0.5, 30_000],
    [0.999999, 59_000],
    [1, 59_000],
  ])('random %d → %d ms', (random, skew) => {
    expect(drawSkewMs(() => random)).toBe(skew);
  });
});

describe('decideDeleterCycle: the schedule', () => {
  it.each([
    // last check, now, process?
    ['before the slot', START, at(2024, 1, 31, 23, 59), null],
    ['at the slot, inside the skew', START, at(2024, 2, 1, 0, 0, 16), null],
    ['at slot + skew', START, at(2024, 2, 1, 0, 0, 17), 'schedule'],
    ['long after the slot (a missed cycle)', START, at(2024, 2, 9), 'schedule'],
    ['a slot already handled', at(2024, 2, 1, 0, 0, 20), at(2024, 2, 1, 0, 5), null],
  ] as const)('%s', (_name, lastCheckMs, nowMs, process) => {
    const decision = decideDeleterCycle(settings, state({ lastCheckMs }), view({ nowMs }));
    expect(decision.process).toBe(process);
    expect(decision.nextState.lastCheckMs).toBe(nowMs);
  });

  it('runs once for several missed slots, then waits for the next one', () => {
    const first = decideDeleterCycle(settings, state(), view({ nowMs: at(2024, 5, 3) }));
    expect(first.process).toBe('schedule');
    const second = decideDeleterCycle(settings, first.nextState, view({ nowMs: at(2024, 5, 3, 0, 1) }));
    expect(second.process).toBeNull();
    expect(second.nextRunMs).toBe(at(2024, 6, 1, 0, 0, 17));
  });

  it('keeps a due slot while a session runs, and runs it after', () => {
    const now = at(2024, 2, 1, 0, 1);
    const busy = decideDeleterCycle(settings, state(), view({ nowMs: now, sessionRunning: true }));
    expect(busy.process).toBeNull();
    expect(busy.nextState.lastCheckMs).toBe(START);
    const after = decideDeleterCycle(settings, busy.nextState, view({ nowMs: now + 60_000 }));
    expect(after.process).toBe('schedule');
  });

  it('a clock that jumps backwards restarts the schedule from now and runs nothing', () => {
    const decision = decideDeleterCycle(settings, state({ lastCheckMs: at(2024, 3, 10) }), view({ nowMs: at(2024, 1, 20) }));
    expect(decision.process).toBeNull();
    expect(decision.nextState.lastCheckMs).toBe(at(2024, 1, 20));
    expect(decision.nextRunMs).toBe(at(2024, 2, 1, 0, 0, 17));
    expect(decision.reasons.join(' ')).toMatch(/backwards/);
  });

  it('with an empty queue nothing runs, and the slot is used up', () => {
    const decision = decideDeleterCycle(settings, state(), view({ nowMs: at(2024, 2, 2), queueFiles: 0 }));
    expect(decision.process).toBeNull();
    expect(decision.nextState.lastCheckMs).toBe(at(2024, 2, 2));
    expect(decision.reasons.join(' ')).toMatch(/empty/);
  });
});

describe('decideDeleterCycle: SIGUSR1', () => {
  it('processes at once, between slots and during back-off', () => {
    const backoff = { failures: 5, lastFailureMs: START };
    const decision = decideDeleterCycle(settings, state({ retryPending: true, backoff }), view({ nowMs: START + 1000, skipDelays: true }));
    expect(decision.process).toBe('signal');
  });

  it('during a session it is remembered and acted on when the session has ended', () => {
    const busy = decideDeleterCycle(settings, state(), view({ skipDelays: true, sessionRunning: true }));
    expect(busy.process).toBeNull();
    expect(busy.nextState.signalPending).toBe(true);
    const after = decideDeleterCycle(settings, busy.nextState, view({ nowMs: START + 1000 }));
    expect(after.process).toBe('signal');
    expect(after.nextState.signalPending).toBe(false);
  });

  it('item 4: while trash/ is still being queued it processes what is queued at once, and stays pending for the rest', () => {
    const during = decideDeleterCycle(settings, state(), view({ skipDelays: true, trashQueueing: true }));
    expect(during.process).toBe('signal');
    expect(during.nextState.signalPending).toBe(true);
    // no queue file flushed yet: nothing to process now, still pending
    const empty = decideDeleterCycle(settings, state(), view({ skipDelays: true, trashQueueing: true, queueFiles: 0 }));
    expect(empty.process).toBeNull();
    expect(empty.nextState.signalPending).toBe(true);
    const queued = decideDeleterCycle(settings, during.nextState, view({ nowMs: START + 5000 }));
    expect(queued.process).toBe('signal');
    expect(queued.nextState.signalPending).toBe(false);
  });
});

describe('decideDeleterCycle: while trash/ is still being queued', () => {
  it('item 4: a due slot waits for the queueing to end, so that the pass takes every id (not the first batches only)', () => {
    const slotMs = at(2024, 2, 1, 0, 0, 17);
    const queueing = decideDeleterCycle(settings, state(), view({ nowMs: slotMs + 1000, trashQueueing: true }));
    expect(queueing.process).toBeNull();
    expect(queueing.reasons.join(' ')).toMatch(/still being queued/);
    expect(queueing.nextRunMs).toBe(slotMs);
    const after = decideDeleterCycle(settings, queueing.nextState, view({ nowMs: slotMs + 6000 }));
    expect(after.process).toBe('schedule');
  });
});

describe('decideDeleterCycle: ids left undeleted', () => {
  it.each([
    // failures, seconds since the last failure, process?
    [1, 0, null],
    [1, 59, null],
    [1, 60, 'retry'], // sleeptime · 2^0
    [2, 119, null],
    [2, 120, 'retry'], // sleeptime · 2^1
    [10, 3599, null],
    [10, 3600, 'retry'], // capped at retry_backoff_max
  ] as const)('after %d failure(s), %d s later → %s', (failures, seconds, process) => {
    const s = state({ retryPending: true, backoff: { failures, lastFailureMs: START } });
    expect(decideDeleterCycle(settings, s, view({ nowMs: START + seconds * 1000 })).process).toBe(process);
  });

  it('a clock jumping back never lengthens the back-off', () => {
    const s = state({ retryPending: true, backoff: { failures: 1, lastFailureMs: START } });
    expect(decideDeleterCycle(settings, s, view({ nowMs: START - 3_600_000 })).process).toBeNull();
    expect(decideDeleterCycle(settings, s, view({ nowMs: START + 60_000 })).process).toBe('retry');
  });

  it('recordDeleteOutcome: failures count up, a full success clears the retry', () => {
    let s = recordDeleteOutcome(state(), 3, START);
    expect(s).toMatchObject({ retryPending: true, backoff: { failures: 1, lastFailureMs: START } });
    s = recordDeleteOutcome(s, 1, START + 60_000);
    expect(s).toMatchObject({ retryPending: true, backoff: { failures: 2 } });
    s = recordDeleteOutcome(s, 0, START + 200_000);
    expect(s).toMatchObject({ retryPending: false, backoff: { failures: 0 } });
  });
});

describe('decideDeleterCycle: ids held by volume-aware deletion', () => {
  it.each([
    ['before the first volume is quiet', { ids: 3, earliestReleaseMs: START + 1000, newDeletions: false }, null],
    ['when the first volume is quiet', { ids: 3, earliestReleaseMs: START, newDeletions: false }, 'release'],
    ['when new deletions may complete a volume', { ids: 3, earliestReleaseMs: START + 1000, newDeletions: true }, 'release'],
    ['with nothing held', { ids: 0, earliestReleaseMs: START - 1000, newDeletions: true }, null],
  ] as const)('%s', (_name, held, process) => {
    expect(decideDeleterCycle(settings, state(), view({ held })).process).toBe(process);
  });
});
