/**
 * Issue 11's retriever policies as simulator adapters: the two baselines
 * (the Perl ENDIT rules; "today", endit before issue 11: oldest volume
 * first, no follow-on) and the new policy, the last two through the real
 * `decideRetrieverCycle`.
 */
import {
  decideRetrieverCycle,
  INITIAL_RETRIEVER_STATE,
  recordRetrieveOutcome,
  type RequestInfo,
  type RetrieverState,
  type RetrieverView,
  type VolumeSummary,
} from '../retriever/policy.js';
import { KEY_DEFS } from '../core/config/keys.js';
import { GIB } from '../core/units.js';
import type { RetrieverSettings } from '../retriever/settings.js';
import { parseOrderKey } from '../retriever/tape-order.js';
import { DEFAULT_VOLUME } from '../retriever/volume-name.js';
import { createRandom, shuffled, type Random } from '../core/prng.js';
import type { PlannedSimSession, PolicyAdapter, SimView } from './policy-adapter.js';
import type { TraceRequest } from './trace.js';

/** The Perl retriever looks again after 1 s when it has just started a worker. */
const PERL_QUICK_CYCLE_MS = 1000;
/** As src/retriever/cycle.ts: the shortest wait between two cycles. */
const MIN_WAIT_MS = 200;
/** In/ is never the limit in these simulations. */
const ROOMY_SPACE = { freeBytes: 2 ** 50, totalBytes: 2 ** 50 };

/** Pending lists are in order of arrival. */
function oldestOf(requests: readonly TraceRequest[]): number {
  return requests[0]?.arrivalMs ?? Infinity;
}

function newestOf(requests: readonly TraceRequest[]): number {
  return requests[requests.length - 1]?.arrivalMs ?? -Infinity;
}

/** tsmretriever.pl's choice for one cycle: oldest volume first; remount delay and fill wait skip a volume. */
function planPerlSessions(settings: RetrieverSettings, lastMountMs: ReadonlyMap<string, number>, view: SimView, random: Random): PlannedSimSession[] {
  const running = new Set(view.running.map((r) => r.volume));
  const candidates = [...view.pending]
    .filter(([volume, requests]) => requests.length > 0 && !running.has(volume))
    .map(([volume, requests]) => ({ volume, requests, oldestMs: oldestOf(requests), newestMs: newestOf(requests) }))
    .sort((a, b) => a.oldestMs - b.oldestMs || (a.volume < b.volume ? -1 : 1));
  const sessions: PlannedSimSession[] = [];
  let free = settings.maxWorkers - view.running.length;
  for (const c of candidates) {
    if (free <= 0) break;
    if (c.volume !== DEFAULT_VOLUME) {
      const mountedMs = lastMountMs.get(c.volume);
      if (mountedMs !== undefined && mountedMs > view.nowMs - settings.remountDelayMs) continue;
      if (c.oldestMs > view.nowMs - settings.fillWaitMaxMs && c.newestMs > view.nowMs - settings.fillWaitMs) continue;
    }
    // Perl writes the list in hash order: effectively random.
    sessions.push({ volume: c.volume, requests: shuffled(random, c.requests) });
    free--;
  }
  return sessions;
}

/**
 * The Perl ENDIT rules: oldest volume first, fill wait, remount delay
 * (from the last time a worker was seen on the volume, i.e. its end), lists
 * in random order, no follow-on, at most maxworkers sessions.
 */
export function createEnditRulesPolicy(settings: RetrieverSettings, seed: number): PolicyAdapter {
  const random = createRandom(seed);
  const lastMountMs = new Map<string, number>();
  return {
    name: 'endit-rules',
    decide(view) {
      const sessions = planPerlSessions(settings, lastMountMs, view, random);
      for (const s of sessions) lastMountMs.set(s.volume, view.nowMs);
      return { sessions, nextCycleMs: view.nowMs + (sessions.length > 0 ? PERL_QUICK_CYCLE_MS : settings.sleepMs) };
    },
    sessionEnded(volume, _failed, nowMs) {
      lastMountMs.set(volume, nowMs);
    },
  };
}

function summaryOf(volume: string, requests: readonly TraceRequest[]): VolumeSummary {
  const bytes = requests.reduce((sum, r) => sum + r.sizeBytes, 0);
  return { name: volume, files: requests.length, bytes, oldestMs: oldestOf(requests), newestMs: newestOf(requests), unread: 0 };
}

function requestInfoOf(request: TraceRequest): RequestInfo {
  return { id: request.id, sizeBytes: request.sizeBytes, sinceMs: request.arrivalMs, order: parseOrderKey(request.positionBytes) };
}

/** The retriever's view of the simulated pool: every request read, plenty of space. */
function retrieverViewOf(view: SimView): RetrieverView {
  const volumes = [...view.pending].filter(([, requests]) => requests.length > 0).map(([volume, requests]) => summaryOf(volume, requests));
  return {
    nowMs: view.nowMs,
    skipDelays: false,
    volumes,
    requestsOf: (volume) => (view.pending.get(volume) ?? []).map(requestInfoOf),
    running: view.running,
    space: ROOMY_SPACE,
  };
}

/** The trace requests of a planned list, in its order. */
function tracedRequests(view: SimView, volume: string, ids: readonly RequestInfo[]): TraceRequest[] {
  const byId = new Map((view.pending.get(volume) ?? []).map((r) => [r.id, r]));
  return ids.map((info) => {
    const request = byId.get(info.id);
    if (request === undefined) throw new Error(`policy planned ${info.id}, not pending on ${volume}`);
    return request;
  });
}

/**
 * The real `decideRetrieverCycle`, fed as src/retriever/cycle.ts feeds it:
 * session ends recorded at the next cycle, waits clamped to
 * [MIN_WAIT_MS, sleeptime].
 */
function createDecideAdapter(name: string, settings: RetrieverSettings): PolicyAdapter {
  let state: RetrieverState = INITIAL_RETRIEVER_STATE;
  let ended: Array<{ volume: string; failed: boolean }> = [];
  return {
    name,
    decide(view) {
      for (const end of ended) {
        state = recordRetrieveOutcome(state, end.volume, { succeeded: !end.failed, killedByUs: false, cut: false, mounted: !end.failed }, view.nowMs);
      }
      ended = [];
      const decision = decideRetrieverCycle(settings, state, retrieverViewOf(view));
      state = decision.nextState;
      const sessions = decision.sessions.map((s) => ({ volume: s.volume, requests: tracedRequests(view, s.volume, s.requests) }));
      return { sessions, nextCycleMs: view.nowMs + Math.min(settings.sleepMs, Math.max(MIN_WAIT_MS, decision.waitMs)) };
    },
    sessionEnded(volume, failed) {
      ended.push({ volume, failed });
    },
  };
}

/** Today's endit (before issue 11): oldest volume first, no follow-on; lists in tape order. */
export function createTodayPolicy(settings: RetrieverSettings): PolicyAdapter {
  return createDecideAdapter('today', { ...settings, volumeOrder: 'oldest-first', mountRetentionMs: 0, maxSessionBytes: 0, maxSessionFiles: 0 });
}

/** The new policy (issue 11 section 2): follow-on while mounted, work per mount, optional session caps. */
export function createNewPolicy(settings: RetrieverSettings): PolicyAdapter {
  return createDecideAdapter('new', { ...settings, volumeOrder: 'work-per-mount' });
}

/** The retriever's settings at their configured defaults, with `maxWorkers` sessions (one per drive, typically). */
export function defaultRetrieverSettings(maxWorkers: number): RetrieverSettings {
  return {
    maxWorkers,
    remountDelayMs: Number(KEY_DEFS.retriever_remountdelay.default) * 1000,
    fillWaitMs: Number(KEY_DEFS.retriever_reqlistfillwait.default) * 1000,
    fillWaitMaxMs: Number(KEY_DEFS.retriever_reqlistfillwaitmax.default) * 1000,
    bufferBytes: Number(KEY_DEFS.retriever_buffersize.default) * GIB,
    backlogPercent: Number(KEY_DEFS.retriever_backlogthreshold.default),
    killPercent: Number(KEY_DEFS.retriever_killthreshold.default),
    sleepMs: Number(KEY_DEFS.sleeptime.default) * 1000,
    backoffMaxMs: Number(KEY_DEFS.retry_backoff_max.default) * 1000,
    mountRetentionMs: Number(KEY_DEFS.retriever_mountretention.default) * 1000,
    maxSessionBytes: Number(KEY_DEFS.retriever_maxsessionbytes.default) * GIB,
    maxSessionFiles: Number(KEY_DEFS.retriever_maxsessionfiles.default),
    volumeOrder: 'work-per-mount',
  };
}
