/**
 * The real run's figures, computed as the simulator computes its own
 * (src/tape-model/simulate.ts, sim-metrics.ts) so that the rows compare:
 * mounts from the fake's journal, unloads from its unload entries and the
 * volumes left in the drives, latency from arrival to the file complete in
 * in/. All times are simulated milliseconds from the trace's time 0. Pure.
 */
import type { JournalEndEntry, JournalEntry, JournalMount, JournalUnloadEntry } from '../../fake-dsmc/journal.js';
import type { LibrarySpec, UnloadEvent } from '../../tape-model/drive-model.js';
import { idleWhileWaitingSec, latencyStats, makespanLowerBoundSec, type IntervalMs } from '../../tape-model/sim-metrics.js';
import type { DriveTimeSplit, Landing, SimResult } from '../../tape-model/simulate.js';
import type { TraceRequest } from '../../tape-model/trace.js';

export interface RealRunObservation {
  readonly trace: readonly TraceRequest[];
  /** When each request file was written. */
  readonly arrivalMs: ReadonlyMap<string, number>;
  /** When each file was complete in in/ (its mtime). */
  readonly landedMs: ReadonlyMap<string, number>;
  /** The fake's journal, its simulated seconds already on the trace's clock. */
  readonly journal: readonly JournalEntry[];
  /** Volumes still in a drive at the end, unloaded when their retention ends (as the simulator does). */
  readonly finalUnloads: readonly UnloadEvent[];
  /** The library at full size (the lower bound is computed on the trace as generated). */
  readonly spec: LibrarySpec;
}

export interface RealRunSummary {
  readonly result: SimResult;
  readonly delivered: number;
  /** dsmc retrieve sessions started, and those without an end entry (killed). */
  readonly dsmcSessions: number;
  readonly dsmcSessionsLost: number;
}

function retrieveEnds(journal: readonly JournalEntry[]): JournalEndEntry[] {
  return journal.filter((e): e is JournalEndEntry => e.event === 'end' && e.command === 'retrieve');
}

/** When a drive began working for each delivered file: the start of the mount that read it. */
function driveStartsById(ends: readonly JournalEndEntry[], volumeOf: ReadonlyMap<string, string>): Map<string, number> {
  const starts = new Map<string, number>();
  for (const end of ends) {
    for (const id of end.done ?? []) {
      const mount = end.mounts?.find((m) => m.volume === volumeOf.get(id));
      if (mount !== undefined) starts.set(id, (mount.startSec + mount.waitSec) * 1000);
    }
  }
  return starts;
}

function landingsOf(obs: RealRunObservation, ends: readonly JournalEndEntry[]): Landing[] {
  const starts = driveStartsById(ends, new Map(obs.trace.map((r) => [r.id, r.volume])));
  const landings: Landing[] = [];
  for (const request of obs.trace) {
    const landedMs = obs.landedMs.get(request.id);
    if (landedMs === undefined) continue;
    const arrivalMs = obs.arrivalMs.get(request.id) ?? request.arrivalMs;
    // A file whose mount is not in the journal (its session was killed) waited until it landed.
    const driveStartMs = Math.min(landedMs, starts.get(request.id) ?? landedMs);
    landings.push({ id: request.id, arrivalMs, driveStartMs, landedMs, transferSec: request.sizeBytes / obs.spec.readBytesPerSec });
  }
  return landings;
}

function unloadSec(u: { rewindSec: number; unloadSec: number }): number {
  return u.rewindSec + u.unloadSec;
}

/** Each drive's working time: its mounts (evictions included), and unloads at the end of a retention. */
function busyByDrive(mounts: readonly JournalMount[], unloads: readonly JournalUnloadEntry[], finalUnloads: readonly UnloadEvent[], drives: number): IntervalMs[][] {
  const busy: IntervalMs[][] = Array.from({ length: drives }, () => []);
  for (const m of mounts) busy[m.drive]?.push([(m.startSec + m.waitSec) * 1000, m.endSec * 1000]);
  for (const u of unloads) if (u.reason === 'retention') busy[u.drive]?.push([u.startSec * 1000, (u.startSec + unloadSec(u)) * 1000]);
  for (const u of finalUnloads) busy[u.drive]?.push([u.startMs, u.startMs + unloadSec(u) * 1000]);
  return busy;
}

function driveTimeOf(obs: RealRunObservation, mounts: readonly JournalMount[], landings: readonly Landing[]): DriveTimeSplit {
  const unloads = obs.journal.filter((e): e is JournalUnloadEntry => e.event === 'unload');
  const sum = (f: (m: JournalMount) => number): number => mounts.reduce((total, m) => total + f(m), 0);
  const waiting: IntervalMs[] = landings.map((l) => [l.arrivalMs, l.driveStartMs]);
  return {
    mountSec: sum((m) => m.mountSec),
    locateSec: sum((m) => m.locateSec),
    transferSec: sum((m) => m.transferSec),
    unmountSec: [...unloads, ...obs.finalUnloads].reduce((total, u) => total + unloadSec(u), 0),
    idleWhileWorkWaitedSec: idleWhileWaitingSec(waiting, busyByDrive(mounts, unloads, obs.finalUnloads, obs.spec.drives)),
  };
}

function loadsByVolume(fresh: readonly JournalMount[]): Map<string, number> {
  const loads = new Map<string, number>();
  for (const m of fresh) loads.set(m.volume, (loads.get(m.volume) ?? 0) + 1);
  return loads;
}

/** The real run as a simulator row, named `policy`. */
export function summarizeRealRun(obs: RealRunObservation, policy: string): RealRunSummary {
  const ends = retrieveEnds(obs.journal);
  const mounts = ends.flatMap((e) => e.mounts ?? []);
  const fresh = mounts.filter((m) => !m.followOn);
  const loads = loadsByVolume(fresh);
  const landings = landingsOf(obs, ends);
  const result: SimResult = {
    policy,
    sessions: mounts.length,
    freshMounts: fresh.length,
    followOns: mounts.length - fresh.length,
    failedSessions: ends.filter((e) => e.mountError !== undefined).length,
    volumesMounted: loads.size,
    avgTapeRemounts: loads.size === 0 ? 0 : fresh.length / loads.size,
    maxVolumeLoads: Math.max(0, ...loads.values()),
    drive: driveTimeOf(obs, mounts, landings),
    makespanSec: landings.reduce((max, l) => Math.max(max, l.landedMs), 0) / 1000,
    lowerBoundSec: makespanLowerBoundSec(obs.trace, obs.spec),
    latency: latencyStats(landings.map((l) => l.landedMs - l.arrivalMs)),
    landings,
  };
  const starts = obs.journal.filter((e) => e.event === 'start' && e.command === 'retrieve');
  return { result, delivered: landings.length, dsmcSessions: starts.length, dsmcSessionsLost: unendedRetrievePids(obs.journal).length };
}

/** Retrieve sessions with a start entry and no end entry yet: running, or killed. */
export function unendedRetrievePids(journal: readonly JournalEntry[]): number[] {
  const ended = new Set(retrieveEnds(journal).map((e) => e.pid));
  return journal.filter((e) => e.event === 'start' && e.command === 'retrieve' && !ended.has(e.pid)).map((e) => e.pid);
}

/** The journal's simulated seconds moved by `offsetSec` (the fake's clock started later than the trace's). */
export function planShiftedJournal(journal: readonly JournalEntry[], offsetSec: number): JournalEntry[] {
  if (offsetSec === 0) return [...journal];
  return journal.map((entry) => {
    if (entry.event === 'unload') return { ...entry, startSec: entry.startSec + offsetSec };
    if (entry.event !== 'end' || entry.mounts === undefined) return entry;
    return { ...entry, mounts: entry.mounts.map((m) => ({ ...m, startSec: m.startSec + offsetSec, endSec: m.endSec + offsetSec })) };
  });
}
