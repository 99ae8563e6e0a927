import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffRemainingMs, NO_BACKOFF, recordSessionResult } from '../../../src/core/runtime/index.js';

describe('back-off (SPEC 11.3)', () => {
  it.each([
    [0, 0],
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [7, 3_600_000], // capped at retry_backoff_max
    [500, 3_600_000],
  ])('%d failures → %d ms', (failures, ms) => {
    expect(backoffDelayMs(failures, 60_000, 3_600_000)).toBe(ms);
  });

  it('counts consecutive failures and resets on success', () => {
    let s = recordSessionResult(NO_BACKOFF, false, 1000);
    s = recordSessionResult(s, false, 2000);
    expect(s).toEqual({ failures: 2, lastFailureMs: 2000 });
    expect(backoffRemainingMs(s, 2000 + 100_000, 60_000, 3_600_000)).toBe(20_000);
    expect(recordSessionResult(s, true, 3000)).toEqual(NO_BACKOFF);
  });

  it('a clock jumping back never makes the wait longer than the delay', () => {
    const s = recordSessionResult(NO_BACKOFF, false, 1_000_000);
    expect(backoffRemainingMs(s, 0, 60_000, 3_600_000)).toBe(60_000);
  });
});
