/**
 * Wait after `failures` consecutive failed sessions: sleeptime·2^(n−1),
 * capped at retry_backoff_max; none after a success (SPEC 11.3).
 */
export function backoffDelayMs(failures: number, sleepMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 40);
  return Math.min(sleepMs * 2 ** exponent, maxMs);
}

/** Consecutive failures and when the last one happened: enough to decide whether to wait. */
export interface BackoffState {
  readonly failures: number;
  readonly lastFailureMs: number;
}

export const NO_BACKOFF: BackoffState = { failures: 0, lastFailureMs: 0 };

export function recordSessionResult(state: BackoffState, succeeded: boolean, nowMs: number): BackoffState {
  return succeeded ? NO_BACKOFF : { failures: state.failures + 1, lastFailureMs: nowMs };
}

/** Milliseconds still to wait before the next try; 0 when free to go. A clock jumping back never extends the wait. */
export function backoffRemainingMs(state: BackoffState, nowMs: number, sleepMs: number, maxMs: number): number {
  const delay = backoffDelayMs(state.failures, sleepMs, maxMs);
  if (delay === 0) return 0;
  const elapsed = Math.max(0, nowMs - state.lastFailureMs);
  return Math.max(0, Math.min(delay, delay - elapsed));
}
