/**
 * A discrete-event simulator: plays a recall trace through a retriever
 * policy on the drive model and measures what tape sites care about (drive
 * time, mounts, latency). Pure and deterministic: no clock, the time is the
 * simulation's own, starting at 0.
 */
import {
  createLibrary,
  endSession,
  idleUnloads,
  startSession,
  type LibrarySpec,
  type LibraryState,
  type SessionPlan,
  type UnloadEvent,
} from './drive-model.js';
import type { PolicyAdapter, SimView } from './policy-adapter.js';
import { idleWhileWaitingSec, latencyStats, makespanLowerBoundSec, type IntervalMs, type LatencyStats } from './sim-metrics.js';
import type { TraceRequest } from './trace.js';

export interface Landing {
  readonly id: string;
  readonly arrivalMs: number;
  /** When a drive began working on its session. */
  readonly driveStartMs: number;
  readonly landedMs: number;
  readonly transferSec: number;
}

export interface DriveTimeSplit {
  readonly mountSec: number;
  readonly locateSec: number;
  readonly transferSec: number;
  /** Rewind and unload: evictions, retention expiries, and the volumes left mounted at the end. */
  readonly unmountSec: number;
  /** Drives idle while a request waited for a drive to start on it. */
  readonly idleWhileWorkWaitedSec: number;
}

export interface SimResult {
  readonly policy: string;
  readonly sessions: number;
  readonly freshMounts: number;
  readonly followOns: number;
  /** Sessions that never got a drive (MAXNUMMP). */
  readonly failedSessions: number;
  readonly volumesMounted: number;
  /** Fresh mounts per volume mounted: 1.00 is ideal. */
  readonly avgTapeRemounts: number;
  readonly maxVolumeLoads: number;
  readonly drive: DriveTimeSplit;
  readonly makespanSec: number;
  readonly lowerBoundSec: number;
  readonly latency: LatencyStats;
  readonly landings: readonly Landing[];
}

interface OpenSession {
  readonly volume: string;
  readonly requests: readonly TraceRequest[];
  /** null while it waits for a drive. */
  plan: SessionPlan | null;
}

interface SimRun {
  library: LibraryState;
  nowMs: number;
  nextArrival: number;
  readonly trace: readonly TraceRequest[];
  readonly pending: Map<string, TraceRequest[]>;
  readonly open: Map<number, OpenSession>;
  readonly plans: SessionPlan[];
  readonly unloads: UnloadEvent[];
  readonly landings: Landing[];
  failedSessions: number;
}

/** A run that plays for longer than this has a policy that never finishes. */
const HORIZON_MS = 60 * 24 * 3600_000;

function nextEndMs(run: SimRun): number {
  let next = Infinity;
  for (const session of run.open.values()) if (session.plan !== null) next = Math.min(next, session.plan.endMs);
  return next;
}

function admitArrivals(run: SimRun): void {
  while (run.nextArrival < run.trace.length && (run.trace[run.nextArrival] as TraceRequest).arrivalMs <= run.nowMs) {
    const request = run.trace[run.nextArrival++] as TraceRequest;
    const list = run.pending.get(request.volume);
    if (list === undefined) run.pending.set(request.volume, [request]);
    else list.push(request);
  }
}

function startedPlan(run: SimRun, plan: SessionPlan): void {
  const session = run.open.get(plan.sessionId);
  if (session === undefined) throw new Error(`drive model started unknown session ${plan.sessionId}`);
  session.plan = plan;
  run.plans.push(plan);
}

/** Sessions whose last file landed: their files count, the policy hears of it. Returns how many ended. */
function endSessionsDue(run: SimRun, policy: PolicyAdapter): number {
  const due = [...run.open].filter(([, s]) => s.plan !== null && s.plan.endMs <= run.nowMs);
  for (const [sessionId, session] of due) {
    const plan = session.plan as SessionPlan;
    session.requests.forEach((request, i) => {
      const file = plan.files[i];
      if (file === undefined) throw new Error(`session ${sessionId} lost ${request.id}`);
      run.landings.push({ id: request.id, arrivalMs: request.arrivalMs, driveStartMs: plan.startMs, landedMs: file.landedMs, transferSec: file.transferSec });
    });
    run.open.delete(sessionId);
    const step = endSession(run.library, sessionId, plan.endMs);
    run.library = step.library;
    run.unloads.push(...step.unloads);
    for (const started of step.started) startedPlan(run, started);
    policy.sessionEnded(session.volume, false, run.nowMs);
  }
  return due.length;
}

function viewOf(run: SimRun): SimView {
  const running = [...run.open.values()].map((s) => {
    const landedAll = s.plan === null ? [] : s.plan.files;
    let stillToLandBytes = 0;
    s.requests.forEach((r, i) => {
      if ((landedAll[i]?.landedMs ?? Infinity) > run.nowMs) stillToLandBytes += r.sizeBytes;
    });
    return { volume: s.volume, stillToLandBytes };
  });
  return { nowMs: run.nowMs, pending: run.pending, running };
}

/** Takes a planned list out of the pending requests; throws when the policy planned what is not pending. */
function takePending(run: SimRun, volume: string, requests: readonly TraceRequest[]): void {
  const ids = new Set(requests.map((r) => r.id));
  const list = run.pending.get(volume) ?? [];
  const rest = list.filter((r) => !ids.has(r.id));
  if (rest.length !== list.length - ids.size || ids.size !== requests.length) throw new Error(`policy planned requests of ${volume} that are not pending`);
  run.pending.set(volume, rest);
}

/** One policy cycle; returns when the policy wants the next. */
function runCycle(run: SimRun, policy: PolicyAdapter): number {
  const decision = policy.decide(viewOf(run));
  for (const planned of decision.sessions) {
    if (planned.requests.length === 0) continue;
    takePending(run, planned.volume, planned.requests);
    const files = planned.requests.map((r) => ({ positionBytes: r.positionBytes, sizeBytes: r.sizeBytes }));
    const start = startSession(run.library, { volume: planned.volume, files, nowMs: run.nowMs });
    run.library = start.library;
    run.unloads.push(...start.unloads);
    if (start.kind === 'failed') {
      run.failedSessions++;
      run.pending.set(planned.volume, [...(run.pending.get(planned.volume) ?? []), ...planned.requests].sort((a, b) => a.arrivalMs - b.arrivalMs));
      policy.sessionEnded(planned.volume, true, run.nowMs);
      continue;
    }
    const sessionId = start.kind === 'started' ? start.plan.sessionId : start.sessionId;
    run.open.set(sessionId, { volume: planned.volume, requests: planned.requests, plan: null });
    if (start.kind === 'started') startedPlan(run, start.plan);
  }
  return Math.max(decision.nextCycleMs, run.nowMs + 1);
}

function finished(run: SimRun): boolean {
  if (run.nextArrival < run.trace.length || run.open.size > 0) return false;
  for (const list of run.pending.values()) if (list.length > 0) return false;
  return true;
}

/** Plays `trace` (sorted by arrival) through `policy` on a library of `spec`. */
export function simulate(trace: readonly TraceRequest[], policy: PolicyAdapter, spec: LibrarySpec): SimResult {
  const run: SimRun = { library: createLibrary(spec), nowMs: 0, nextArrival: 0, trace, pending: new Map(), open: new Map(), plans: [], unloads: [], landings: [], failedSessions: 0 };
  let nextCycleMs = trace[0]?.arrivalMs ?? 0;
  while (!finished(run)) {
    const nextArrivalMs = run.trace[run.nextArrival]?.arrivalMs ?? Infinity;
    const endMs = nextEndMs(run);
    run.nowMs = Math.min(nextArrivalMs, endMs, nextCycleMs);
    if (run.nowMs > HORIZON_MS) throw new Error(`policy ${policy.name} left requests waiting past ${HORIZON_MS / 3600_000} h`);
    // A daemon wakes when one of its sessions ends.
    if (endMs <= run.nowMs && endSessionsDue(run, policy) > 0) nextCycleMs = run.nowMs;
    admitArrivals(run);
    if (nextCycleMs <= run.nowMs) nextCycleMs = runCycle(run, policy);
  }
  run.unloads.push(...idleUnloads(run.library, Infinity).unloads);
  return summarize(run, policy.name, spec);
}

function busyByDrive(run: SimRun, drives: number): IntervalMs[][] {
  const busy: IntervalMs[][] = Array.from({ length: drives }, () => []);
  for (const plan of run.plans) busy[plan.drive]?.push([plan.startMs, plan.endMs]);
  for (const u of run.unloads) if (u.reason === 'retention') busy[u.drive]?.push([u.startMs, u.startMs + (u.rewindSec + u.unloadSec) * 1000]);
  return busy;
}

function driveTimeOf(run: SimRun, drives: number): DriveTimeSplit {
  const sum = (f: (p: SessionPlan) => number): number => run.plans.reduce((total, p) => total + f(p), 0);
  const waiting: IntervalMs[] = run.landings.map((l) => [l.arrivalMs, l.driveStartMs]);
  return {
    mountSec: sum((p) => p.mountSec),
    locateSec: sum((p) => p.locateSec),
    transferSec: sum((p) => p.transferSec),
    unmountSec: run.unloads.reduce((total, u) => total + u.rewindSec + u.unloadSec, 0),
    idleWhileWorkWaitedSec: idleWhileWaitingSec(waiting, busyByDrive(run, drives)),
  };
}

function summarize(run: SimRun, policy: string, spec: LibrarySpec): SimResult {
  const fresh = run.plans.filter((p) => !p.followOn);
  const volumesMounted = new Set(fresh.map((p) => p.volume)).size;
  return {
    policy,
    sessions: run.plans.length,
    freshMounts: fresh.length,
    followOns: run.plans.length - fresh.length,
    failedSessions: run.failedSessions,
    volumesMounted,
    avgTapeRemounts: volumesMounted === 0 ? 0 : fresh.length / volumesMounted,
    maxVolumeLoads: Math.max(0, ...run.library.loadsByVolume.values()),
    drive: driveTimeOf(run, spec.drives),
    makespanSec: run.landings.reduce((max, l) => Math.max(max, l.landedMs), 0) / 1000,
    lowerBoundSec: makespanLowerBoundSec(run.trace, spec),
    latency: latencyStats(run.landings.map((l) => l.landedMs - l.arrivalMs)),
    landings: run.landings,
  };
}
