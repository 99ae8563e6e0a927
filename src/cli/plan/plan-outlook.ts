// `endit plan`: the retriever's next decisions on what the pool holds now,
// through the retriever's own pure policy. Pure: the pool comes in read.
import {
  decideRetrieverCycle,
  INITIAL_RETRIEVER_STATE,
  rankWaitingVolumes,
  recordSessionFromHistory,
  type RecordedSessionEnd,
  type RequestInfo,
  type RetrieverDecision,
  type RetrieverState,
  type RetrieverView,
  type RunningVolume,
  type VolumeOutlook,
  type VolumeSummary,
} from '../../retriever/policy.js';
import type { RetrieverSettings } from '../../retriever/settings.js';
import type { SpaceView } from '../../retriever/space.js';
import { parseOrderKey, sortTapeOrder } from '../../retriever/tape-order.js';
import type { PriorityClass } from '../../retriever/volume-priority.js';
import { estimateDriveTime, type DriveTimeEstimate } from '../../tape-model/drive-estimate.js';
import type { LibrarySpec } from '../../tape-model/drive-model.js';
import { volumeOf, type HintMap } from '../hint-file.js';
import { DEFAULT_VOLUME } from '../per-volume.js';
import type { RecallRequest } from '../request-scan.js';
import type { RunningList } from './plan-pool.js';

export interface PlanInputs {
  readonly nowMs: number;
  readonly settings: RetrieverSettings;
  readonly recalls: readonly RecallRequest[];
  readonly hints: HintMap;
  /** Regular files in in/ by name. */
  readonly inSizes: ReadonlyMap<string, number>;
  readonly running: readonly RunningList[];
  /** null when the free space of in/ could not be read. */
  readonly space: SpaceView | null;
  /** The drives whose times are estimated. */
  readonly library: LibrarySpec;
  /** The retriever's past sessions from its session history, oldest end first: which tapes are still mounted. */
  readonly sessionEnds: readonly RecordedSessionEnd[];
}

/** running: a session reads it now; starts: the retriever starts a session for it now; waits: a delay holds it; held: space holds it; ready: no free worker. */
type VolumePlanState = 'running' | 'starts' | 'waits' | 'held' | 'ready';

export interface VolumePlan {
  /** Place in the order volumes get drives (1 = next); null while its session runs. */
  readonly rank: number | null;
  readonly volume: string;
  readonly priority: PriorityClass | null;
  /** Its recall requests in request/, waiting or on a running list. */
  readonly files: number;
  readonly bytes: number;
  readonly oldestAgeSec: number;
  readonly state: VolumePlanState;
  /** How long until the delay ends; null when it is not waiting for one. */
  readonly waitSec: number | null;
  readonly why: string;
  /** The list a session would start with now. */
  readonly list: { readonly files: number; readonly bytes: number; readonly cut: boolean } | null;
  /** Reading all its files in one session (no mount while its session runs or its tape is still mounted): an estimate. */
  readonly drive: DriveTimeEstimate;
  /** Its tape is taken as still mounted (its session would be a follow-on): when its last session ended; null otherwise. */
  readonly stillMounted: { readonly endedAgoSec: number } | null;
}

export interface RetrieverPlan {
  readonly decision: RetrieverDecision;
  readonly volumes: readonly VolumePlan[];
  readonly busyWorkers: number;
  /** Requests whose file is already complete in in/ (the retriever removes them without a session). */
  readonly completeInIn: number;
}

interface VolumeRequests {
  readonly pending: RequestInfo[];
  /** Still in request/ and on a running list. */
  readonly listed: RequestInfo[];
}

/** Requests by volume, split into waiting and listed; those complete in in/ counted apart. */
function groupRequests(inputs: PlanInputs): { byVolume: Map<string, VolumeRequests>; completeInIn: number } {
  const listed = new Map(inputs.running.flatMap((list) => list.ids.map((id) => [id, list.volume] as const)));
  const byVolume = new Map<string, VolumeRequests>();
  let completeInIn = 0;
  for (const recall of inputs.recalls) {
    if (inputs.inSizes.get(recall.id) === recall.sizeBytes) {
      completeInIn++;
      continue;
    }
    const hint = inputs.hints.get(recall.id);
    const onList = listed.get(recall.id);
    const volume = onList ?? (hint === undefined ? DEFAULT_VOLUME : volumeOf(hint));
    const info: RequestInfo = { id: recall.id, sizeBytes: recall.sizeBytes, sinceMs: recall.mtimeMs, order: parseOrderKey(hint?.order) };
    let group = byVolume.get(volume);
    if (group === undefined) byVolume.set(volume, (group = { pending: [], listed: [] }));
    (onList === undefined ? group.pending : group.listed).push(info);
  }
  return { byVolume, completeInIn };
}

function summaryOf(name: string, requests: readonly RequestInfo[]): VolumeSummary {
  let bytes = 0;
  let oldestMs = Infinity;
  let newestMs = -Infinity;
  for (const r of requests) {
    bytes += r.sizeBytes;
    oldestMs = Math.min(oldestMs, r.sinceMs);
    newestMs = Math.max(newestMs, r.sinceMs);
  }
  return { name, files: requests.length, bytes, oldestMs, newestMs, unread: 0 };
}

/** The retriever's view, as its cycle would take it now: running sessions from their lists, every request read. */
function viewOf(inputs: PlanInputs, byVolume: ReadonlyMap<string, VolumeRequests>): RetrieverView {
  const running: RunningVolume[] = inputs.running.map((list) => ({
    volume: list.volume,
    stillToLandBytes: (byVolume.get(list.volume)?.listed ?? []).reduce((sum, r) => sum + r.sizeBytes, 0),
  }));
  const volumes = [...byVolume].filter(([, group]) => group.pending.length > 0).map(([name, group]) => summaryOf(name, group.pending));
  return {
    nowMs: inputs.nowMs,
    skipDelays: false,
    volumes,
    requestsOf: (volume) => byVolume.get(volume)?.pending ?? [],
    running,
    space: inputs.space,
  };
}

/** What holds a volume that is ready but gets no session now. */
function heldWhy(decision: RetrieverDecision, volume: string): { state: VolumePlanState; why: string } {
  const tooLarge = decision.tooLarge.filter((r) => r.volume === volume).length;
  if (tooLarge > 0) return { state: 'held', why: `${tooLarge} request(s) larger than in/ can ever hold above the kill line` };
  switch (decision.hold) {
    case 'FULL':
      return { state: 'held', why: 'space FULL: below the kill line' };
    case 'BACKLOG':
      return { state: 'held', why: 'space BACKLOG: starting nothing new' };
    case 'UNKNOWN':
      return { state: 'held', why: 'free space of in/ unknown' };
    case 'RESERVATION':
      if (decision.examined.includes(volume)) return { state: 'held', why: 'its oldest request does not fit the space left above the kill line' };
  }
  return { state: 'ready', why: 'ready; waits for a free worker' };
}

function stateOf(decision: RetrieverDecision, outlook: VolumeOutlook): Pick<VolumePlan, 'state' | 'waitSec' | 'why' | 'list'> {
  const session = decision.sessions.find((s) => s.volume === outlook.name);
  if (session !== undefined) {
    return { state: 'starts', waitSec: null, why: session.reason, list: { files: session.requests.length, bytes: session.bytes, cut: session.cut } };
  }
  if (outlook.waitMs > 0) return { state: 'waits', waitSec: Math.ceil(outlook.waitMs / 1000), why: outlook.why, list: null };
  return { ...heldWhy(decision, outlook.name), waitSec: null, list: null };
}

function rowOf(inputs: PlanInputs, group: VolumeRequests, base: Omit<VolumePlan, 'files' | 'bytes' | 'oldestAgeSec' | 'drive'>): VolumePlan {
  // A running session has its tape in the drive; a follow-on finds it there.
  const mounted = base.state === 'running' || base.stillMounted !== null;
  const all = [...group.listed, ...group.pending];
  const summary = summaryOf(base.volume, all);
  const sizes = sortTapeOrder(all).map((r) => r.sizeBytes);
  return {
    ...base,
    files: summary.files,
    bytes: summary.bytes,
    oldestAgeSec: Math.max(0, Math.floor((inputs.nowMs - summary.oldestMs) / 1000)),
    drive: estimateDriveTime(inputs.library, sizes, mounted),
  };
}

/** The policy's state as the running retriever's would be after the recorded sessions: its own bookkeeping, replayed. */
function stateFromHistory(sessionEnds: readonly RecordedSessionEnd[]): RetrieverState {
  return sessionEnds.reduce(recordSessionFromHistory, INITIAL_RETRIEVER_STATE);
}

function stillMountedOf(state: RetrieverState, outlook: VolumeOutlook, nowMs: number): VolumePlan['stillMounted'] {
  const endMs = state.volumes.get(outlook.name)?.lastMountEndMs ?? null;
  if (!outlook.mounted || endMs === null) return null;
  return { endedAgoSec: Math.max(0, Math.floor((nowMs - endMs) / 1000)) };
}

/**
 * What the retriever would do now, volume by volume: running sessions
 * first, then every waiting volume in the order it gets a drive. The
 * policy starts from the session history (which tapes are still mounted,
 * remount delays), by the retriever's own rules; back-off is not in it.
 */
export function planRetrieverOutlook(inputs: PlanInputs): RetrieverPlan {
  const { byVolume, completeInIn } = groupRequests(inputs);
  const view = viewOf(inputs, byVolume);
  const state = stateFromHistory(inputs.sessionEnds);
  const decision = decideRetrieverCycle(inputs.settings, state, view);
  const runningNames = new Set(inputs.running.map((list) => list.volume));
  const running = [...runningNames].map((volume) => {
    const group = byVolume.get(volume) ?? { pending: [], listed: [] };
    const why = group.pending.length === 0 ? 'session running' : `session running; ${group.pending.length} more request(s) wait for it to end`;
    return rowOf(inputs, group, { rank: null, volume, priority: null, state: 'running', waitSec: null, why, list: null, stillMounted: null });
  });
  const waiting = rankWaitingVolumes(inputs.settings, state, view)
    .filter((outlook) => !runningNames.has(outlook.name))
    .map((outlook, index) => {
      const base = { rank: index + 1, volume: outlook.name, priority: outlook.priority, ...stateOf(decision, outlook), stillMounted: stillMountedOf(state, outlook, inputs.nowMs) };
      return rowOf(inputs, byVolume.get(outlook.name) as VolumeRequests, base);
    });
  return { decision, volumes: [...running, ...waiting], busyWorkers: view.running.length, completeInIn };
}
