/**
 * dCache's side of a replayed trace: each recall request written into
 * request/ at its arrival time (compressed), and each file taken from in/
 * once it is complete, as the pool does (request removed, then the file).
 * A file's landing time is its mtime in in/: when dsmc finished writing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrno } from '../../core/errors.js';
import type { TraceRequest } from '../../tape-model/trace.js';

export interface ReplayRequest {
  readonly id: string;
  /** Real time to write the request. */
  readonly dueRealMs: number;
  readonly sizeBytes: number;
}

export interface ReplayPlan {
  readonly requestDir: string;
  readonly inDir: string;
  /** Sorted by `dueRealMs`. */
  readonly requests: readonly ReplayRequest[];
  /** The pool's JVM in a request: a live process. */
  readonly parentPid: number;
  readonly deadlineRealMs: number;
  readonly tickMs: number;
}

export interface ReplayObservation {
  /** Real time each request was written. */
  readonly writtenRealMs: Map<string, number>;
  /** Real time each file was complete in in/. */
  readonly landedRealMs: Map<string, number>;
  /** Recalls the retriever failed with a `.err` file. */
  readonly failed: Set<string>;
  readonly timedOut: boolean;
}

/** The real run's clock: simulated time 0 (the trace's 0) at real `t0RealMs`, `timeScale` real per simulated. */
export interface ReplayClock {
  readonly t0RealMs: number;
  readonly timeScale: number;
}

/** Real time at simulated `simMs`, and back. */
export function planRealMs(clock: ReplayClock, simMs: number): number {
  return clock.t0RealMs + simMs * clock.timeScale;
}

export function planSimMs(clock: ReplayClock, realMs: number): number {
  return (realMs - clock.t0RealMs) / clock.timeScale;
}

/** Each traced request due at its arrival on the real clock, with its file's (scaled) size. Pure. */
export function planReplayRequests(trace: readonly TraceRequest[], sizeBytes: ReadonlyMap<string, number>, clock: ReplayClock): ReplayRequest[] {
  return trace
    .map((r) => ({ id: r.id, dueRealMs: planRealMs(clock, r.arrivalMs), sizeBytes: sizeBytes.get(r.id) ?? r.sizeBytes }))
    .sort((a, b) => a.dueRealMs - b.dueRealMs);
}

/** A recall request as the dCache plugin writes it (SPEC 2). */
export function formatRequest(id: string, sizeBytes: number, parentPid: number, nowMs: number): string {
  return `${JSON.stringify({ file_size: sizeBytes, parent_pid: parentPid, time: Math.floor(nowMs / 1000), storage_class: 'bench:tape@osm', action: 'recall', path: `/pnfs/bench/tape/${id}` })}\n`;
}

/** Written under a dot name and renamed, so the retriever never reads half a request. */
function writeRequest(plan: ReplayPlan, request: ReplayRequest, nowMs: number): void {
  const temp = path.join(plan.requestDir, `.${request.id}.tmp`);
  fs.writeFileSync(temp, formatRequest(request.id, request.sizeBytes, plan.parentPid, nowMs));
  fs.renameSync(temp, path.join(plan.requestDir, request.id));
}

function removeIfThere(file: string): void {
  fs.rmSync(file, { force: true });
}

function sizeAndMtime(file: string): { sizeBytes: number; mtimeMs: number } | null {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() ? { sizeBytes: st.size, mtimeMs: st.mtimeMs } : null;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/** Takes complete files from in/ and failed recalls from request/, as dCache would. */
function takeFinished(plan: ReplayPlan, sizes: ReadonlyMap<string, number>, seen: ReplayObservation): void {
  for (const name of fs.readdirSync(plan.inDir)) {
    const wanted = sizes.get(name);
    if (wanted === undefined || seen.landedRealMs.has(name)) continue;
    const file = sizeAndMtime(path.join(plan.inDir, name));
    if (file === null || file.sizeBytes !== wanted) continue;
    seen.landedRealMs.set(name, file.mtimeMs);
    removeIfThere(path.join(plan.requestDir, name));
    removeIfThere(path.join(plan.inDir, name));
  }
  for (const name of fs.readdirSync(plan.requestDir)) {
    if (!name.endsWith('.err')) continue;
    const id = name.slice(0, -'.err'.length);
    seen.failed.add(id);
    removeIfThere(path.join(plan.requestDir, id));
    removeIfThere(path.join(plan.requestDir, name));
  }
}

/**
 * Writes the requests as they come due and takes what lands, until every
 * request has landed or failed, the deadline passes, or `abort` says why
 * to stop (the retriever died).
 */
export async function runReplay(plan: ReplayPlan, abort: () => string | null): Promise<ReplayObservation> {
  const sizes = new Map(plan.requests.map((r) => [r.id, r.sizeBytes]));
  const seen: ReplayObservation = { writtenRealMs: new Map(), landedRealMs: new Map(), failed: new Set(), timedOut: false };
  let next = 0;
  for (;;) {
    const nowMs = Date.now();
    for (; next < plan.requests.length && (plan.requests[next] as ReplayRequest).dueRealMs <= nowMs; next++) {
      const request = plan.requests[next] as ReplayRequest;
      seen.writtenRealMs.set(request.id, Date.now());
      writeRequest(plan, request, nowMs);
    }
    takeFinished(plan, sizes, seen);
    if (seen.landedRealMs.size + seen.failed.size >= plan.requests.length) return seen;
    const why = abort();
    if (why !== null) throw new Error(why);
    if (nowMs > plan.deadlineRealMs) return { ...seen, timedOut: true };
    await sleep(plan.tickMs);
  }
}
