import { backoffRemainingMs, NO_BACKOFF, recordSessionResult, type BackoffState } from '../core/runtime/backoff.js';
import type { RetrieverSettings } from './settings.js';
import { formatBytes } from '../core/units.js';
import { classifySpace, planSpaceLines, type SpaceLines, type SpaceState, type SpaceView } from './space.js';
import { sortTapeOrder, type OrderKey } from './tape-order.js';
import { maxListBytes, splitTooLarge, type TooLargeRequest } from './too-large.js';
import { DEFAULT_VOLUME } from './volume-name.js';

/** One volume's pending requests (not in a running session), kept up to date incrementally by the cache. */
export interface VolumeSummary {
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
  readonly oldestMs: number;
  readonly newestMs: number;
  /** Requests whose JSON has not been read yet: read before the volume can be planned. */
  readonly unread: number;
}

export interface RequestInfo {
  readonly id: string;
  readonly sizeBytes: number;
  /** The request file's mtime: its age. */
  readonly mtimeMs: number;
  readonly order: OrderKey | null;
}

export interface RunningVolume {
  readonly volume: string;
  /** Bytes of its list that have not landed in in/ yet. */
  readonly stillToLandBytes: number;
}

/** One cycle's snapshot of the world. */
export interface RetrieverView {
  readonly nowMs: number;
  /** SIGUSR1: skip fill waits, remount delay and back-off, once. */
  readonly skipDelays: boolean;
  /** Volumes with pending requests. */
  readonly volumes: readonly VolumeSummary[];
  /** The pending requests of one volume (called only for volumes the policy plans). */
  readonly requestsOf: (volume: string) => readonly RequestInfo[];
  readonly running: readonly RunningVolume[];
  /** null when the free space could not be read. */
  readonly space: SpaceView | null;
}

export interface VolumeState {
  /** When its last session ended; a volume counts as mounted while its session runs. */
  readonly lastMountEndMs: number | null;
  /** Its last session took only part of its requests (space): the rest may follow without remount delay. */
  readonly lastCut: boolean;
  readonly backoff: BackoffState;
  /** When this policy first saw the volume waiting: bounds the fill wait even when the clock jumps. */
  readonly waitingSinceMs: number | null;
}

export interface RetrieverState {
  readonly volumes: ReadonlyMap<string, VolumeState>;
}

export const INITIAL_RETRIEVER_STATE: RetrieverState = { volumes: new Map() };

const FRESH_VOLUME: VolumeState = { lastMountEndMs: null, lastCut: false, backoff: NO_BACKOFF, waitingSinceMs: null };

export interface PlannedRetrieveSession {
  readonly volume: string;
  /** In tape order. */
  readonly requests: readonly RequestInfo[];
  readonly bytes: number;
  /** Cut to the space left (SPEC 11.1): the volume has more requests than this list. */
  readonly cut: boolean;
  readonly reason: string;
}

/** Why wanted sessions cannot start for lack of space; null when space holds nothing back. */
export type SpaceHold = 'FULL' | 'BACKLOG' | 'RESERVATION' | 'UNKNOWN' | null;

export interface RetrieverDecision {
  readonly spaceState: SpaceState | 'UNKNOWN';
  readonly lines: SpaceLines | null;
  /** Free space minus bytes still to land minus the kill line: room for new lists. */
  readonly budgetBytes: number;
  readonly killSessions: boolean;
  readonly sessions: readonly PlannedRetrieveSession[];
  /** Volumes to plan once their requests are read; no sessions are planned while this is not empty. */
  readonly readFirst: readonly string[];
  readonly hold: SpaceHold;
  readonly nextState: RetrieverState;
  readonly reasons: readonly string[];
  /** When the policy wants to look again (a wait ends), at most sleeptime. */
  readonly waitMs: number;
  /** Requests that can never fit in/ (left out of the lists), of the volumes examined. */
  readonly tooLarge: readonly TooLargeRequest[];
  /** Volumes whose requests were looked at this cycle. */
  readonly examined: readonly string[];
}

/** How long before a volume may be mounted; 0 when it may go now. */
interface Readiness {
  readonly waitMs: number;
  readonly why: string;
}

function remountRemainingMs(volume: VolumeState, nowMs: number, delayMs: number): number {
  if (volume.lastMountEndMs === null || volume.lastCut) return 0;
  const elapsed = Math.max(0, nowMs - volume.lastMountEndMs);
  return Math.max(0, delayMs - elapsed);
}

/**
 * SPEC 6.6: a real volume's list is still filling while its newest request
 * is younger than the fill wait and its oldest younger than the fill-wait
 * maximum. The maximum also counts from when we first saw the volume
 * waiting, so mtimes in the future (a clock set back) cannot stall it.
 */
function fillRemainingMs(summary: VolumeSummary, volume: VolumeState, nowMs: number, settings: RetrieverSettings): number {
  const untilQuiet = settings.fillWaitMs - (nowMs - summary.newestMs);
  const untilOldest = settings.fillWaitMaxMs - (nowMs - summary.oldestMs);
  const untilSeen = volume.waitingSinceMs === null ? settings.fillWaitMaxMs : settings.fillWaitMaxMs - (nowMs - volume.waitingSinceMs);
  return Math.max(0, Math.min(untilQuiet, untilOldest, untilSeen));
}

function readinessOf(summary: VolumeSummary, volume: VolumeState, view: RetrieverView, settings: RetrieverSettings): Readiness {
  if (view.skipDelays) return { waitMs: 0, why: '' };
  const backoffMs = backoffRemainingMs(volume.backoff, view.nowMs, settings.sleepMs, settings.backoffMaxMs);
  if (summary.name === DEFAULT_VOLUME) return { waitMs: backoffMs, why: `${volume.backoff.failures} failed session(s)` };
  const remountMs = remountRemainingMs(volume, view.nowMs, settings.remountDelayMs);
  const fillMs = fillRemainingMs(summary, volume, view.nowMs, settings);
  const waitMs = Math.max(backoffMs, remountMs, fillMs);
  const why = waitMs === backoffMs ? `${volume.backoff.failures} failed session(s)` : waitMs === remountMs ? 'remount delay' : 'request list still filling';
  return { waitMs, why };
}

/** The oldest requests that fit in `budgetBytes` (a prefix by age, so nobody overtakes the oldest). Pure. */
export function planCutList(requests: readonly RequestInfo[], budgetBytes: number): { requests: RequestInfo[]; bytes: number; cut: boolean } {
  const byAge = [...requests].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const chosen: RequestInfo[] = [];
  let bytes = 0;
  for (const request of byAge) {
    if (bytes + request.sizeBytes > budgetBytes) break;
    chosen.push(request);
    bytes += request.sizeBytes;
  }
  return { requests: sortTapeOrder(chosen), bytes, cut: chosen.length < requests.length };
}

/** Volumes with the oldest waiting request first; the name breaks ties. */
function oldestFirst(volumes: readonly VolumeSummary[]): VolumeSummary[] {
  return [...volumes].sort((a, b) => a.oldestMs - b.oldestMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Times in the future (the clock was set back) count from now, so no wait grows beyond its length. */
function clampToNow(volume: VolumeState, nowMs: number): VolumeState {
  const mountLater = volume.lastMountEndMs !== null && volume.lastMountEndMs > nowMs;
  const failureLater = volume.backoff.lastFailureMs > nowMs;
  if (!mountLater && !failureLater) return volume;
  return {
    ...volume,
    lastMountEndMs: mountLater ? nowMs : volume.lastMountEndMs,
    backoff: failureLater ? { ...volume.backoff, lastFailureMs: nowMs } : volume.backoff,
  };
}

/** Volume state kept for the next cycle: only what still matters, so the map stays small. */
function planNextVolumes(state: RetrieverState, view: RetrieverView, settings: RetrieverSettings): Map<string, VolumeState> {
  const next = new Map<string, VolumeState>();
  const waiting = new Set(view.volumes.map((v) => v.name));
  for (const [name, stored] of state.volumes) {
    const volume = clampToNow(stored, view.nowMs);
    const recentMount = volume.lastMountEndMs !== null && remountRemainingMs(volume, view.nowMs, settings.remountDelayMs) > 0;
    const keep = waiting.has(name) || recentMount || volume.backoff.failures > 0 || view.running.some((r) => r.volume === name);
    if (keep) next.set(name, waiting.has(name) ? volume : { ...volume, waitingSinceMs: null });
  }
  for (const name of waiting) {
    const volume = next.get(name) ?? FRESH_VOLUME;
    const since = volume.waitingSinceMs;
    // First seen now, or the clock went back past it: count from now.
    if (since === null || since > view.nowMs) next.set(name, { ...volume, waitingSinceMs: view.nowMs });
  }
  return next;
}

interface SpaceBudget {
  readonly state: SpaceState | 'UNKNOWN';
  readonly lines: SpaceLines | null;
  /** Room for new lists now: free space minus bytes still to land minus the kill line. */
  readonly budgetBytes: number;
  /** The most a list could ever hold (see too-large.ts). */
  readonly maxListBytes: number;
}

function spaceOf(settings: RetrieverSettings, view: RetrieverView): SpaceBudget {
  if (view.space === null) return { state: 'UNKNOWN', lines: null, budgetBytes: 0, maxListBytes: 0 };
  const lines = planSpaceLines(settings, view.space.totalBytes);
  let stillToLand = 0;
  for (const r of view.running) stillToLand += r.stillToLandBytes;
  return {
    state: classifySpace(view.space.freeBytes, lines),
    lines,
    budgetBytes: view.space.freeBytes - stillToLand - lines.killLineBytes,
    maxListBytes: maxListBytes(view.space, lines),
  };
}

/** Why nothing new can start this cycle, or null when volumes may be planned. */
interface Gate {
  readonly hold: SpaceHold;
  readonly killSessions: boolean;
  readonly reason: string | null;
}

function decideGate(settings: RetrieverSettings, view: RetrieverView, space: SpaceBudget): Gate | null {
  if (space.state === 'FULL') {
    const reason = `space FULL: ${formatBytes(view.space?.freeBytes ?? 0)} free, below the kill line ${formatBytes(space.lines?.killLineBytes ?? 0)}`;
    return { hold: view.volumes.length > 0 ? 'FULL' : null, killSessions: view.running.length > 0, reason };
  }
  if (view.volumes.length === 0) return { hold: null, killSessions: false, reason: null };
  if (space.state !== 'OK') {
    const reason = space.state === 'UNKNOWN' ? 'free space of in/ unknown: starting nothing' : 'space BACKLOG: starting nothing new';
    return { hold: space.state, killSessions: false, reason };
  }
  if (view.running.length >= settings.maxWorkers) {
    return { hold: null, killSessions: false, reason: `${view.running.length} session(s) running, retriever_maxworkers ${settings.maxWorkers}` };
  }
  return null;
}

/** One cycle's planning of volumes, built up volume by volume. */
interface Planning {
  readonly sessions: PlannedRetrieveSession[];
  readonly readFirst: string[];
  readonly reasons: string[];
  readonly tooLarge: TooLargeRequest[];
  readonly examined: string[];
  budgetBytes: number;
  freeSlots: number;
  hold: SpaceHold;
  waitMs: number;
}

/** Walks the waiting volumes, oldest request first, while slots are free. */
function planVolumes(settings: RetrieverSettings, view: RetrieverView, volumes: ReadonlyMap<string, VolumeState>, space: SpaceBudget, reasons: string[]): Planning {
  const running = new Set(view.running.map((r) => r.volume));
  const p: Planning = {
    sessions: [],
    readFirst: [],
    reasons,
    tooLarge: [],
    examined: [],
    budgetBytes: space.budgetBytes,
    freeSlots: settings.maxWorkers - view.running.length,
    hold: null,
    waitMs: settings.sleepMs,
  };
  for (const summary of oldestFirst(view.volumes)) {
    if (p.freeSlots <= 0) break;
    if (running.has(summary.name)) continue;
    const ready = readinessOf(summary, volumes.get(summary.name) ?? FRESH_VOLUME, view, settings);
    if (ready.waitMs > 0) {
      p.waitMs = Math.min(p.waitMs, ready.waitMs);
      reasons.push(`${summary.name}: waiting ${Math.ceil(ready.waitMs / 1000)} s (${ready.why})`);
    } else if (summary.unread > 0) {
      p.readFirst.push(summary.name);
      p.freeSlots--;
    } else if (p.readFirst.length === 0) {
      planVolumeList(p, summary, view, space.maxListBytes);
    }
  }
  return p;
}

/** The list of one ready volume: what never fits left out, the rest cut to the space left. */
function planVolumeList(p: Planning, summary: VolumeSummary, view: RetrieverView, maxBytes: number): void {
  p.examined.push(summary.name);
  const { fitting, tooLarge } = splitTooLarge(view.requestsOf(summary.name), maxBytes);
  for (const r of tooLarge) p.tooLarge.push({ id: r.id, volume: summary.name, sizeBytes: r.sizeBytes });
  if (tooLarge.length > 0) p.reasons.push(`${summary.name}: ${tooLarge.length} request(s) larger than in/ can ever hold above the kill line (${formatBytes(maxBytes)}), left out`);
  if (fitting.length === 0) return;
  const list = planCutList(fitting, p.budgetBytes);
  if (list.requests.length === 0) {
    p.hold = 'RESERVATION';
    p.reasons.push(`${summary.name}: its oldest request does not fit in the ${formatBytes(Math.max(0, p.budgetBytes))} left above the kill line`);
    return;
  }
  const why = view.skipDelays ? 'SIGUSR1' : summary.name === DEFAULT_VOLUME ? 'no volume known' : 'list ready';
  p.sessions.push({
    volume: summary.name,
    requests: list.requests,
    bytes: list.bytes,
    cut: list.cut,
    reason: list.cut ? `${why}; cut to ${list.requests.length} of ${fitting.length} requests to fit the free space` : why,
  });
  p.budgetBytes -= list.bytes;
  p.freeSlots--;
}

/** The retriever's decision for one cycle (SPEC 6.5, 6.6, 11.1–11.3). Pure: time and the world come in `view`. */
export function decideRetrieverCycle(settings: RetrieverSettings, state: RetrieverState, view: RetrieverView): RetrieverDecision {
  const volumes = planNextVolumes(state, view, settings);
  const space = spaceOf(settings, view);
  const reasons: string[] = [];
  const base = { spaceState: space.state, lines: space.lines, budgetBytes: space.budgetBytes, nextState: { volumes }, reasons, readFirst: [], tooLarge: [], examined: [] };
  const gate = decideGate(settings, view, space);
  if (gate !== null) {
    if (gate.reason !== null) reasons.push(gate.reason);
    return { ...base, killSessions: gate.killSessions, sessions: [], hold: gate.hold, waitMs: settings.sleepMs };
  }
  const p = planVolumes(settings, view, volumes, space, reasons);
  const found = { tooLarge: p.tooLarge, examined: p.examined };
  if (p.readFirst.length > 0) return { ...base, ...found, killSessions: false, sessions: [], readFirst: p.readFirst, hold: null, waitMs: 0 };
  return { ...base, ...found, killSessions: false, sessions: p.sessions, hold: p.hold, waitMs: p.waitMs };
}

/** How a volume's session ended, for the policy's bookkeeping. */
export interface RetrieveOutcome {
  /** Nothing left to retry. */
  readonly succeeded: boolean;
  /** We killed it (space FULL, shutdown): not the volume's failure. */
  readonly killedByUs: boolean;
  /** Its list was cut to fit the space. */
  readonly cut: boolean;
  /** It delivered something (staged or failed a file): the tape was really mounted. */
  readonly mounted: boolean;
}

/**
 * Bookkeeping when a volume's session ended. The remount delay counts from
 * now if the tape was really read; a session that delivered nothing (the
 * server unreachable, a prompt) only grows the volume's back-off (SPEC 11.3),
 * and a success resets it. After a list cut for space, or a session we
 * killed, the rest of the volume may follow without the remount delay.
 */
export function recordRetrieveOutcome(state: RetrieverState, volume: string, outcome: RetrieveOutcome, nowMs: number): RetrieverState {
  const volumes = new Map(state.volumes);
  const previous = volumes.get(volume) ?? FRESH_VOLUME;
  volumes.set(volume, {
    ...previous,
    lastMountEndMs: outcome.mounted ? nowMs : previous.lastMountEndMs,
    lastCut: outcome.mounted ? outcome.cut || outcome.killedByUs : previous.lastCut,
    backoff: outcome.killedByUs ? previous.backoff : recordSessionResult(previous.backoff, outcome.succeeded, nowMs),
  });
  return { volumes };
}

/** Volumes that wait because of failed sessions (figure retriever_backoff_volumes). */
export function countBackoffVolumes(state: RetrieverState, nowMs: number, settings: RetrieverSettings): number {
  let count = 0;
  for (const volume of state.volumes.values()) {
    if (backoffRemainingMs(volume.backoff, nowMs, settings.sleepMs, settings.backoffMaxMs) > 0) count++;
  }
  return count;
}
