import { backoffRemainingMs, NO_BACKOFF, recordSessionResult, type BackoffState } from '../core/runtime/backoff.js';
import type { CronSchedule } from './schedule.js';

/** The deleter's configuration in base units, plus the start-up skew drawn once. */
export interface DeleterSettings {
  readonly schedule: CronSchedule;
  /** 0–59 s, drawn once at start-up so that many pools do not hit the server in the same second. */
  readonly skewMs: number;
  readonly sleepMs: number;
  readonly backoffMaxMs: number;
  /** deleter_volumequiet in ms; 0 = volume-aware deletion off. */
  readonly volumeQuietMs: number;
}

export interface DeleterState {
  /** Schedule slots (plus skew) after this time and up to now are due. */
  readonly lastCheckMs: number;
  /** SIGUSR1 arrived while a session ran: process when it ends. */
  readonly signalPending: boolean;
  /** The last session left ids undeleted: run again each cycle, with back-off. */
  readonly retryPending: boolean;
  readonly backoff: BackoffState;
}

export function initialDeleterState(startedMs: number): DeleterState {
  return { lastCheckMs: startedMs, signalPending: false, retryPending: false, backoff: NO_BACKOFF };
}

/** Ids held back by volume-aware deletion, as the cycle knows them after the last processing. */
export interface HeldView {
  readonly ids: number;
  /** When the first held volume becomes quiet. */
  readonly earliestReleaseMs: number;
  /** Enough new deletions arrived for a held volume that the queue may now cover it. */
  readonly newDeletions: boolean;
}

/** One cycle's snapshot of the world. */
export interface DeleterView {
  readonly nowMs: number;
  /** SIGUSR1: process the queue now. */
  readonly skipDelays: boolean;
  readonly sessionRunning: boolean;
  /** trash/ is still being listed into the queue (a million files take seconds): more ids are on the way. */
  readonly trashQueueing: boolean;
  /** Queue files in trash/queue/ (after this cycle's queueing). */
  readonly queueFiles: number;
  readonly held: HeldView | null;
}

export type ProcessReason = 'signal' | 'schedule' | 'retry' | 'release';

export interface DeleterDecision {
  /** Process the queue now, and why; null: not now. */
  readonly process: ProcessReason | null;
  readonly nextState: DeleterState;
  /** The next scheduled processing (slot + skew), null if the expression never fires. */
  readonly nextRunMs: number | null;
  readonly reasons: readonly string[];
}

/** Next slot + skew strictly after `afterMs`. */
export function nextScheduledRunMs(settings: DeleterSettings, afterMs: number): number | null {
  const slot = settings.schedule.nextAfterMs(afterMs - settings.skewMs);
  return slot === null ? null : slot + settings.skewMs;
}

function describeMs(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

/**
 * Whether to process the deletion queue this cycle (SPEC 7.2, 11.3, 11.7).
 * Pure: time, the queue and the session come in `view`.
 */
export function decideDeleterCycle(settings: DeleterSettings, state: DeleterState, view: DeleterView): DeleterDecision {
  const reasons: string[] = [];
  let lastCheckMs = state.lastCheckMs;
  if (view.nowMs < lastCheckMs) {
    reasons.push('clock went backwards: schedule restarts from now');
    lastCheckMs = view.nowMs;
  }
  const dueRunMs = nextScheduledRunMs(settings, lastCheckMs);
  const scheduleDue = dueRunMs !== null && dueRunMs <= view.nowMs;
  const signal = view.skipDelays || state.signalPending;

  // A session runs, or trash/ is still being queued (a pass now would leave the rest until the next slot).
  const busy = view.sessionRunning ? 'a delete session is running' : view.trashQueueing && !signal ? 'trash/ is still being queued' : null;
  if (busy !== null) {
    // Keep what is due (a slot, a signal) for when it has ended.
    reasons.push(busy);
    return {
      process: null,
      nextState: { ...state, lastCheckMs, signalPending: signal },
      nextRunMs: scheduleDue ? dueRunMs : nextScheduledRunMs(settings, lastCheckMs),
      reasons,
    };
  }

  // SIGUSR1 while trash/ is being queued: what is queued goes now, the rest once it is queued.
  const checked: DeleterState = { ...state, lastCheckMs: view.nowMs, signalPending: signal && view.trashQueueing };
  const nextRunMs = nextScheduledRunMs(settings, view.nowMs);
  let process: ProcessReason | null = null;
  const backoffMs = backoffRemainingMs(state.backoff, view.nowMs, settings.sleepMs, settings.backoffMaxMs);
  if (signal) {
    process = 'signal';
    reasons.push(view.trashQueueing ? 'SIGUSR1: processing what is queued now, the rest of trash/ once it is queued' : 'SIGUSR1: processing the deletion queue now');
  } else if (scheduleDue) {
    process = 'schedule';
    reasons.push(`scheduled processing (${settings.schedule.expression}, skew ${describeMs(settings.skewMs)})`);
  } else if (state.retryPending) {
    if (backoffMs === 0) {
      process = 'retry';
      reasons.push(`retrying ids the last session left undeleted (${state.backoff.failures} failed in a row)`);
    } else {
      reasons.push(`${state.backoff.failures} failed session(s) in a row: retry in ${describeMs(backoffMs)}`);
    }
  }
  if (process === null && view.held !== null && view.held.ids > 0) {
    if (view.nowMs >= view.held.earliestReleaseMs) {
      process = 'release';
      reasons.push(`a volume with ${view.held.ids} held id(s) in all has become quiet`);
    } else if (view.held.newDeletions) {
      process = 'release';
      reasons.push('new deletions for a held volume: checking whether the queue now covers it');
    }
  }
  if (process !== null && view.queueFiles === 0) {
    reasons.push('the deletion queue is empty');
    return { process: null, nextState: { ...checked, retryPending: false }, nextRunMs, reasons };
  }
  return { process, nextState: checked, nextRunMs, reasons };
}

/** Bookkeeping after a session: ids left undeleted by a failure start the retry back-off; success clears it. */
export function recordDeleteOutcome(state: DeleterState, failedIds: number, nowMs: number): DeleterState {
  const succeeded = failedIds === 0;
  return { ...state, retryPending: !succeeded, backoff: recordSessionResult(state.backoff, succeeded, nowMs) };
}
