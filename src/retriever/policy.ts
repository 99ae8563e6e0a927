import type { GroupView } from '../core/coordination/index.js';
import { backoffRemainingMs, NO_BACKOFF, recordSessionResult, type BackoffState } from '../core/runtime/backoff.js';
import type { RetrieverSettings } from './settings.js';
import { formatBytes } from '../core/units.js';
import { classifySpace, planSpaceLines, type SpaceLines, type SpaceState, type SpaceView } from './space.js';
import { sortTapeOrder, type OrderKey } from './tape-order.js';
import { maxListBytes, splitTooLarge, type TooLargeRequest } from './too-large.js';
import { DEFAULT_VOLUME } from './volume-name.js';
import { quietWaitMs, rankVolumes, smallListWaitMs, volumeAgeMs, type PriorityClass } from './volume-priority.js';

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
  /** The request file's mtime when first seen: its age (a rewrite by dCache, a retry, keeps it). */
  readonly sinceMs: number;
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
  /** The other instances sharing the TSM node (issue 12); absent: none, the local limits alone. */
  readonly group?: GroupView;
}

export interface VolumeState {
  /** When its last session that read the tape ended; the tape stays in its drive for the mount retention after. */
  readonly lastMountEndMs: number | null;
  /** When its last session that needed a real mount ended: the remount delay counts from here (follow-ons are no mount). */
  readonly lastRealMountEndMs: number | null;
  /** The session planned last for it rode a tape estimated still mounted. */
  readonly followOn: boolean;
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

const FRESH_VOLUME: VolumeState = { lastMountEndMs: null, lastRealMountEndMs: null, followOn: false, lastCut: false, backoff: NO_BACKOFF, waitingSinceMs: null };

export interface PlannedRetrieveSession {
  readonly volume: string;
  /** In tape order. */
  readonly requests: readonly RequestInfo[];
  readonly bytes: number;
  /** Cut to the space left (SPEC 11.1): the volume has more requests than this list. */
  readonly cut: boolean;
  /** Its tape is estimated still mounted: no mount. */
  readonly followOn: boolean;
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
  if (volume.lastRealMountEndMs === null || volume.lastCut) return 0;
  const elapsed = Math.max(0, nowMs - volume.lastRealMountEndMs);
  return Math.max(0, delayMs - elapsed);
}

/**
 * SPEC 6.6: a real volume's list is still filling while its newest request
 * is younger than the fill wait (`quietMs`) and its oldest younger than the
 * fill-wait maximum. The maximum also counts from when we first saw the
 * volume waiting, so mtimes in the future (a clock set back) cannot stall it.
 */
function fillRemainingMs(summary: VolumeSummary, volume: VolumeState, nowMs: number, settings: RetrieverSettings, quietMs: number): number {
  const untilQuiet = quietMs - (nowMs - summary.newestMs);
  const untilOldest = settings.fillWaitMaxMs - (nowMs - summary.oldestMs);
  const untilSeen = volume.waitingSinceMs === null ? settings.fillWaitMaxMs : settings.fillWaitMaxMs - (nowMs - volume.waitingSinceMs);
  return Math.max(0, Math.min(untilQuiet, untilOldest, untilSeen));
}

/**
 * Follow-ons (the tape still mounted) and starving volumes (oldest request
 * older than the fill-wait maximum) skip every wait; only back-off holds
 * them. The rest wait for their list to fill and to be worth a mount; the
 * remount delay ranks a volume last (volume-priority.ts) rather than
 * holding a drive idle. The simulator's "today" baseline keeps the rule
 * before issue 11: the remount delay holds the volume.
 */
function readinessOf(summary: VolumeSummary, volume: VolumeState, view: RetrieverView, settings: RetrieverSettings, priority: PriorityClass): Readiness {
  if (view.skipDelays) return { waitMs: 0, why: '' };
  const backoffMs = backoffRemainingMs(volume.backoff, view.nowMs, settings.sleepMs, settings.backoffMaxMs);
  const backoff = { waitMs: backoffMs, why: `${volume.backoff.failures} failed session(s)` };
  if (summary.name === DEFAULT_VOLUME || priority === 'starving' || priority === 'follow-on') return backoff;
  const filling = (quietMs: number): Readiness => ({ waitMs: fillRemainingMs(summary, volume, view.nowMs, settings, quietMs), why: 'request list still filling' });
  let waits: Readiness[];
  if (settings.volumeOrder === 'oldest-first') {
    waits = [backoff, filling(settings.fillWaitMs), { waitMs: remountRemainingMs(volume, view.nowMs, settings.remountDelayMs), why: 'remount delay' }];
  } else {
    const ageMs = volumeAgeMs({ oldestMs: summary.oldestMs, waitingSinceMs: volume.waitingSinceMs }, view.nowMs);
    const small = { waitMs: smallListWaitMs(summary.bytes, ageMs, settings.fillWaitMaxMs, settings.mountCostBytes), why: "list under a mount's worth, waiting for more requests of its tape" };
    waits = [backoff, filling(quietWaitMs(summary.bytes, settings.fillWaitMs, settings.mountCostBytes)), small];
  }
  return waits.reduce((longest, w) => (w.waitMs > longest.waitMs ? w : longest));
}

/** The oldest requests that fit in `budgetBytes` (a prefix by age, so nobody overtakes the oldest). Pure. */
export function planCutList(requests: readonly RequestInfo[], budgetBytes: number): { requests: RequestInfo[]; bytes: number; cut: boolean } {
  const byAge = [...requests].sort((a, b) => a.sinceMs - b.sinceMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const chosen: RequestInfo[] = [];
  let bytes = 0;
  for (const request of byAge) {
    if (bytes + request.sizeBytes > budgetBytes) break;
    chosen.push(request);
    bytes += request.sizeBytes;
  }
  return { requests: sortTapeOrder(chosen), bytes, cut: chosen.length < requests.length };
}

/**
 * A list's first requests in tape order within the session caps (0: no
 * cap); at least one request, so a cap never stalls a volume.
 */
export function planCappedList(requests: readonly RequestInfo[], maxBytes: number, maxFiles: number): { requests: readonly RequestInfo[]; bytes: number; cut: boolean } {
  let bytes = 0;
  let count = 0;
  for (const r of requests) {
    const overBytes = maxBytes > 0 && bytes + r.sizeBytes > maxBytes;
    const overFiles = maxFiles > 0 && count + 1 > maxFiles;
    if (count > 0 && (overBytes || overFiles)) break;
    bytes += r.sizeBytes;
    count++;
  }
  return { requests: requests.slice(0, count), bytes, cut: count < requests.length };
}

interface OrderedVolume {
  readonly summary: VolumeSummary;
  readonly priority: PriorityClass;
  /** Its tape is estimated still in a drive. */
  readonly mounted: boolean;
}

/**
 * The waiting volumes in the order they get drives: volume-priority.ts, or
 * (the pre-issue-11 rule, the simulator's baseline) oldest request first.
 */
function orderVolumes(settings: RetrieverSettings, view: RetrieverView, volumes: ReadonlyMap<string, VolumeState>): OrderedVolume[] {
  const byName = new Map(view.volumes.map((v) => [v.name, v]));
  if (settings.volumeOrder === 'oldest-first') {
    const sorted = [...view.volumes].sort((a, b) => a.oldestMs - b.oldestMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return sorted.map((summary) => ({ summary, priority: 'work', mounted: false }));
  }
  const mounted = new Set([...mountedVolumes(volumes, view, settings), ...mountedElsewhere(view, settings)]);
  const candidates = view.volumes.map((v) => {
    const volume = volumes.get(v.name) ?? FRESH_VOLUME;
    const recentlyMounted = !view.skipDelays && v.name !== DEFAULT_VOLUME && remountRemainingMs(volume, view.nowMs, settings.remountDelayMs) > 0;
    // Named fields, not a spread of the summary: 10,000 volumes per plan at ten million requests, and a spread cost ~4 µs each.
    return { name: v.name, bytes: v.bytes, oldestMs: v.oldestMs, waitingSinceMs: volume.waitingSinceMs, mounted: mounted.has(v.name), recentlyMounted };
  });
  return rankVolumes(candidates, view.nowMs, settings).map((r) => ({ summary: byName.get(r.name) as VolumeSummary, priority: r.priority, mounted: r.mounted }));
}

/** Times in the future (the clock was set back) count from now, so no wait grows beyond its length. */
function clampToNow(volume: VolumeState, nowMs: number): VolumeState {
  const mountLater = volume.lastMountEndMs !== null && volume.lastMountEndMs > nowMs;
  const realMountLater = volume.lastRealMountEndMs !== null && volume.lastRealMountEndMs > nowMs;
  const failureLater = volume.backoff.lastFailureMs > nowMs;
  if (!mountLater && !realMountLater && !failureLater) return volume;
  return {
    ...volume,
    lastMountEndMs: mountLater ? nowMs : volume.lastMountEndMs,
    lastRealMountEndMs: realMountLater ? nowMs : volume.lastRealMountEndMs,
    backoff: failureLater ? { ...volume.backoff, lastFailureMs: nowMs } : volume.backoff,
  };
}

function withinRetention(volume: VolumeState, nowMs: number, settings: RetrieverSettings): boolean {
  return settings.mountRetentionMs > 0 && volume.lastMountEndMs !== null && nowMs - volume.lastMountEndMs < settings.mountRetentionMs;
}

/**
 * Volumes whose session on another instance of the group ended within the
 * mount retention: their tape is estimated still mounted, so a session here
 * is a follow-on (no fill wait, no remount delay).
 */
function mountedElsewhere(view: RetrieverView, settings: RetrieverSettings): string[] {
  if (view.group === undefined || settings.mountRetentionMs <= 0) return [];
  return [...view.group.endedVolumes].filter(([name, endMs]) => name !== DEFAULT_VOLUME && view.nowMs - endMs < settings.mountRetentionMs).map(([name]) => name);
}

/**
 * The volumes whose tapes are estimated still in a drive: ended less than
 * the mount retention ago, and among the most recently used that fit in
 * the drives not busy with running sessions (one drive per worker; TSM
 * unloads the least recently used idle tape when it needs a drive).
 */
function mountedVolumes(volumes: ReadonlyMap<string, VolumeState>, view: RetrieverView, settings: RetrieverSettings): Set<string> {
  const running = new Set(view.running.map((r) => r.volume));
  const idle = [...volumes]
    .filter(([name, v]) => !running.has(name) && name !== DEFAULT_VOLUME && withinRetention(v, view.nowMs, settings))
    .sort(([, a], [, b]) => (b.lastMountEndMs ?? 0) - (a.lastMountEndMs ?? 0));
  return new Set(idle.slice(0, Math.max(0, settings.maxWorkers - running.size)).map(([name]) => name));
}

/** Volume state kept for the next cycle: only what still matters, so the map stays small. */
function planNextVolumes(state: RetrieverState, view: RetrieverView, settings: RetrieverSettings): Map<string, VolumeState> {
  const next = new Map<string, VolumeState>();
  const waiting = new Set(view.volumes.map((v) => v.name));
  for (const [name, stored] of state.volumes) {
    const volume = clampToNow(stored, view.nowMs);
    const recentMount = remountRemainingMs(volume, view.nowMs, settings.remountDelayMs) > 0 || withinRetention(volume, view.nowMs, settings);
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
  if ((view.group?.slots.retrieve ?? Infinity) <= 0) {
    return { hold: null, killSessions: false, reason: 'no session free for recalls in the group budget (coordination_maxsessions less the archive reserve), or ZooKeeper not answering yet' };
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

/** Another instance of the coordination group reads this volume now (the default volume is no tape: never). */
function readByAnotherInstance(view: RetrieverView, volume: string): boolean {
  return volume !== DEFAULT_VOLUME && (view.group?.busyVolumes.has(volume) ?? false);
}

/** Walks the waiting volumes in priority order while slots are free. */
function planVolumes(settings: RetrieverSettings, view: RetrieverView, volumes: ReadonlyMap<string, VolumeState>, space: SpaceBudget, reasons: string[]): Planning {
  const running = new Set(view.running.map((r) => r.volume));
  const p: Planning = {
    sessions: [],
    readFirst: [],
    reasons,
    tooLarge: [],
    examined: [],
    budgetBytes: space.budgetBytes,
    freeSlots: Math.min(settings.maxWorkers - view.running.length, view.group?.slots.retrieve ?? Infinity),
    hold: null,
    waitMs: settings.sleepMs,
  };
  for (const ordered of orderVolumes(settings, view, volumes)) {
    const { summary, priority } = ordered;
    if (p.freeSlots <= 0) break;
    if (running.has(summary.name)) continue;
    if (readByAnotherInstance(view, summary.name)) {
      reasons.push(`${summary.name}: read by another instance of the group; its session here follows when that one ends`);
      continue;
    }
    const ready = readinessOf(summary, volumes.get(summary.name) ?? FRESH_VOLUME, view, settings, priority);
    if (ready.waitMs > 0) {
      p.waitMs = Math.min(p.waitMs, ready.waitMs);
      reasons.push(`${summary.name}: waiting ${Math.ceil(ready.waitMs / 1000)} s (${ready.why})`);
    } else if (summary.unread > 0) {
      p.readFirst.push(summary.name);
      p.freeSlots--;
    } else if (p.readFirst.length === 0) {
      planVolumeList(p, ordered, view, settings, space.maxListBytes);
    }
  }
  return p;
}

/** The list of one ready volume: what never fits left out, the rest cut to the space left. */
function planVolumeList(p: Planning, { summary, priority, mounted }: OrderedVolume, view: RetrieverView, settings: RetrieverSettings, maxBytes: number): void {
  p.examined.push(summary.name);
  const { fitting, tooLarge } = splitTooLarge(view.requestsOf(summary.name), maxBytes);
  for (const r of tooLarge) p.tooLarge.push({ id: r.id, volume: summary.name, sizeBytes: r.sizeBytes });
  if (tooLarge.length > 0) p.reasons.push(`${summary.name}: ${tooLarge.length} request(s) larger than in/ can ever hold above the kill line (${formatBytes(maxBytes)}), left out`);
  if (fitting.length === 0) return;
  const spaceCut = planCutList(fitting, p.budgetBytes);
  const list = planCappedList(spaceCut.requests, settings.maxSessionBytes, settings.maxSessionFiles);
  if (list.requests.length === 0) {
    p.hold = 'RESERVATION';
    p.reasons.push(`${summary.name}: its oldest request does not fit in the ${formatBytes(Math.max(0, p.budgetBytes))} left above the kill line`);
    return;
  }
  p.sessions.push({
    volume: summary.name,
    requests: list.requests,
    bytes: list.bytes,
    cut: spaceCut.cut || list.cut,
    followOn: mounted,
    reason: sessionReason(view, summary, priority, spaceCut.cut ? spaceCut.requests.length : -1, list.cut ? list.requests.length : -1, fitting.length),
  });
  p.budgetBytes -= list.bytes;
  p.freeSlots--;
}

const PRIORITY_WHY: Readonly<Record<PriorityClass, string>> = {
  starving: 'oldest request waited retriever_reqlistfillwaitmax',
  'follow-on': 'follow-on: tape still mounted',
  work: 'list ready',
  remount: 'list ready, on a slot no other volume was ready for (remount within retriever_remountdelay)',
};

/** Why a session starts; a cut count is -1 when that cut did not happen. */
function sessionReason(view: RetrieverView, summary: VolumeSummary, priority: PriorityClass, spaceCutTo: number, capCutTo: number, total: number): string {
  const why = view.skipDelays ? 'SIGUSR1' : summary.name === DEFAULT_VOLUME ? 'no volume known' : PRIORITY_WHY[priority];
  const cuts: string[] = [];
  if (spaceCutTo >= 0) cuts.push(`cut to ${spaceCutTo} of ${total} requests to fit the free space`);
  if (capCutTo >= 0) cuts.push(`cut to ${capCutTo} requests by the session caps`);
  return [why, ...cuts].join('; ');
}

/** The planned sessions' follow-on flags, kept so their ends know whether they were real mounts. */
function markPlanned(volumes: Map<string, VolumeState>, sessions: readonly PlannedRetrieveSession[]): void {
  for (const s of sessions) volumes.set(s.volume, { ...(volumes.get(s.volume) ?? FRESH_VOLUME), followOn: s.followOn });
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
  markPlanned(volumes, p.sessions);
  return { ...base, ...found, killSessions: false, sessions: p.sessions, hold: p.hold, waitMs: p.waitMs };
}

/**
 * The volumes to read ahead while every slot is busy: of the first `count`
 * waiting volumes ready for the next free slot, in the order they get one,
 * those with requests not read yet. Read now, beside the running sessions,
 * their requests no longer stand between a session's end and the next
 * session's start (a thousand request files in a directory of millions take
 * the better part of a second). Pure.
 */
export function decideReadAhead(settings: RetrieverSettings, state: RetrieverState, view: RetrieverView, count: number): string[] {
  const volumes = planNextVolumes(state, view, settings);
  const running = new Set(view.running.map((r) => r.volume));
  const toRead: string[] = [];
  let ready = 0;
  for (const { summary, priority } of orderVolumes(settings, view, volumes)) {
    if (ready >= count) break;
    if (running.has(summary.name) || readByAnotherInstance(view, summary.name)) continue;
    if (readinessOf(summary, volumes.get(summary.name) ?? FRESH_VOLUME, view, settings, priority).waitMs > 0) continue;
    ready++;
    if (summary.unread > 0) toRead.push(summary.name);
  }
  return toRead;
}

/** Where a waiting volume stands: how long before it may start (0: ready now) and why. */
export interface VolumeOutlook {
  readonly name: string;
  readonly priority: PriorityClass;
  readonly waitMs: number;
  /** Empty when it is ready. */
  readonly why: string;
  /** Its tape is estimated still in a drive: its session is a follow-on (no mount). */
  readonly mounted: boolean;
}

/**
 * Every volume with pending requests in the order it gets a drive, with
 * what it waits for: the fill wait, remount delay or back-off this cycle's
 * decision applies (what `endit plan` shows). Pure.
 */
export function rankWaitingVolumes(settings: RetrieverSettings, state: RetrieverState, view: RetrieverView): VolumeOutlook[] {
  const volumes = planNextVolumes(state, view, settings);
  return orderVolumes(settings, view, volumes).map(({ summary, priority, mounted }) => {
    const ready = readinessOf(summary, volumes.get(summary.name) ?? FRESH_VOLUME, view, settings, priority);
    return { name: summary.name, priority, waitMs: ready.waitMs, why: ready.waitMs > 0 ? ready.why : '', mounted };
  });
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
    // A follow-on was no mount: the remount delay still counts from the last real one.
    lastRealMountEndMs: outcome.mounted && !previous.followOn ? nowMs : previous.lastRealMountEndMs,
    followOn: false,
    lastCut: outcome.mounted ? outcome.cut || outcome.killedByUs : previous.lastCut,
    backoff: outcome.killedByUs ? previous.backoff : recordSessionResult(previous.backoff, outcome.succeeded, nowMs),
  });
  return { volumes };
}

/** A session end as the session history tells it (`<logdir>/tsmretriever-sessions.jsonl`). */
export interface RecordedSessionEnd {
  readonly volume: string;
  readonly endMs: number;
  /** It rode a tape estimated still mounted (the record's followOn). */
  readonly followOn: boolean;
  /** It read its tape (the record counts files retrieved). */
  readonly delivered: boolean;
}

/**
 * A session end read back from the session history (`endit plan`), put
 * through this policy's own bookkeeping (recordRetrieveOutcome), so that
 * "still mounted" and the remount delay follow the very rules of the
 * running retriever. A record does not tell what back-off needs (which
 * files dsmc failed, who killed it): back-off is not replayed.
 */
export function recordSessionFromHistory(state: RetrieverState, end: RecordedSessionEnd): RetrieverState {
  const volumes = new Map(state.volumes);
  volumes.set(end.volume, { ...(volumes.get(end.volume) ?? FRESH_VOLUME), followOn: end.followOn });
  return recordRetrieveOutcome({ volumes }, end.volume, { succeeded: true, killedByUs: false, cut: false, mounted: end.delivered }, end.endMs);
}

/** Volumes that wait because of failed sessions (figure retriever_backoff_volumes). */
export function countBackoffVolumes(state: RetrieverState, nowMs: number, settings: RetrieverSettings): number {
  let count = 0;
  for (const volume of state.volumes.values()) {
    if (backoffRemainingMs(volume.backoff, nowMs, settings.sleepMs, settings.backoffMaxMs) > 0) count++;
  }
  return count;
}
