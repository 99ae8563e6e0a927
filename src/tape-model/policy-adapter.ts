/**
 * How the simulator talks to a retriever policy: once per cycle it shows
 * the requests not yet in a session and the sessions running, and the
 * policy answers with the sessions to start (lists in the order dsmc will
 * read them) and when it wants to look again. A daemon also wakes when one
 * of its sessions ends; the simulator does that for every policy.
 */
import type { RunningVolume } from '../retriever/policy.js';
import type { TraceRequest } from './trace.js';

export interface SimView {
  readonly nowMs: number;
  /** Requests that arrived and are in no session, by volume, in order of arrival. */
  readonly pending: ReadonlyMap<string, readonly TraceRequest[]>;
  readonly running: readonly RunningVolume[];
}

export interface PlannedSimSession {
  readonly volume: string;
  /** Pending requests of that volume, in list order. */
  readonly requests: readonly TraceRequest[];
}

export interface SimDecision {
  readonly sessions: readonly PlannedSimSession[];
  /** The next cycle, unless a session ends first; later than the view's `nowMs`. */
  readonly nextCycleMs: number;
}

export interface PolicyAdapter {
  readonly name: string;
  decide(view: SimView): SimDecision;
  /** A session of `volume` ended at `nowMs`; `failed` when it never got a drive (ANS1312E). */
  sessionEnded(volume: string, failed: boolean, nowMs: number): void;
}
