import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { CLEANUP_INTERVAL_MS, removeStaleFiles, scanLiveListNames } from './cleanup.js';
import { retrieverFigureValues } from './figures-of.js';
import { HintLoader } from './hint-loader.js';
import {
  countBackoffVolumes,
  decideRetrieverCycle,
  INITIAL_RETRIEVER_STATE,
  recordRetrieveOutcome,
  type RetrieverDecision,
  type RetrieverState,
} from './policy.js';
import { readSpace } from './read-space.js';
import { RequestCache } from './request-cache.js';
import { PidLiveness, RequestReader } from './request-reader.js';
import { RequestWatcher } from './request-watcher.js';
import { RetrieveSessions, type RetrieverCounters, type SessionEnd } from './retrieve-sessions.js';
import { startListing } from './request-lister.js';
import { statRequestFile } from './scan-requests.js';
import { retrieverSettings, type RetrieverSettings } from './settings.js';
import { SpaceAnnouncer } from './space-announcer.js';
import type { SpaceView } from './space.js';
import { errorMessage } from '../core/errors.js';

/** Unread requests read per cycle in the background (~0.1 s of CPU); a volume about to be planned is read at once. */
const BACKGROUND_READS_PER_CYCLE = 20_000;
/** Changed names stat-ed per slice before yielding. */
const DRAIN_SLICE = 2000;
/** Read-then-decide passes per cycle (each reads at least one volume). */
const MAX_DECIDE_PASSES = 20;
const MIN_WAIT_MS = 200;
const MAX_LOGGED_REASONS = 20;

/**
 * A full listing of request/ catches whatever events were lost: every
 * 10 × sleeptime, at least a minute and at most an hour apart (10 minutes
 * with the default sleeptime), plus at start-up, after a burst of events that
 * may have overflowed the inotify queue (a long hint parse that blocked us
 * shows up as such a burst), and whenever the watch broke.
 */
export function reconcileIntervalMs(sleepMs: number): number {
  return Math.min(Math.max(10 * sleepMs, 60_000), 3_600_000);
}

/** `$ENDIT_RETRIEVER_HINTFILE` overrides `retriever_hintfile` (SPEC 8). */
function hintPath(configured: string | undefined): string | undefined {
  const fromEnv = process.env['ENDIT_RETRIEVER_HINTFILE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : configured;
}

export async function createRetriever(ctx: DaemonContext): Promise<DaemonBehaviour> {
  const { config, logger, pool } = ctx;
  const cache = new RequestCache();
  const liveness = new PidLiveness();
  const reader = new RequestReader(pool, cache, logger, liveness);
  const hints = new HintLoader(cache, logger);
  const watcher = new RequestWatcher(pool.request, (message) => logger.warn('request_watch_failed', message));
  const announcer = new SpaceAnnouncer(logger);
  const counters: RetrieverCounters = { stagedBytes: 0, stagedFiles: 0, stageRetries: 0, failedFiles: 0 };
  let state: RetrieverState = INITIAL_RETRIEVER_STATE;
  let ended: SessionEnd[] = [];
  const sessions = new RetrieveSessions(ctx, cache, counters, (end) => ended.push(end));
  let lastListingMs = -Infinity;
  let lastCleanupMs = -Infinity;
  let space: SpaceView | null = null;
  let spaceError = '';
  let lastDecision: RetrieverDecision | null = null;

  /** Session ends are applied between decisions, never while one is being made. */
  const applyEnds = (): void => {
    for (const end of ended) state = recordRetrieveOutcome(state, end.volume, end, ctx.nowMs());
    ended = [];
  };

  const cleanup = async (nowMs: number): Promise<void> => {
    if (nowMs - lastCleanupMs < CLEANUP_INTERVAL_MS && nowMs >= lastCleanupMs) return;
    lastCleanupMs = nowMs;
    const lists = await removeStaleFiles(pool.requestlists, nowMs, await scanLiveListNames(pool.requestlists));
    const inFiles = await removeStaleFiles(pool.in, nowMs, sessions.workingIds());
    for (const name of [...lists.map((n) => `requestlists/${n}`), ...inFiles.map((n) => `in/${n}`)]) logger.verbose(`Removed stray file ${name} (older than 7 days)`);
    if (lists.length + inFiles.length > 0) logger.info(`Cleanup: removed ${inFiles.length} file(s) from in/ and ${lists.length} from requestlists/ older than 7 days`);
  };

  /** Starts a full listing if one is due; it runs (in a worker) while the hint file loads. */
  const startListingIfDue = (settings: RetrieverSettings, nowMs: number): (() => Promise<void>) | null => {
    watcher.ensureStarted();
    const due = watcher.listingNeeded || nowMs - lastListingMs >= reconcileIntervalMs(settings.sleepMs) || nowMs < lastListingMs;
    if (!due) return null;
    watcher.listingStarted();
    const generation = cache.beginListing();
    const startedMs = Date.now();
    const listing = startListing(pool.request, (name, st) => cache.seen(generation, name, st.mtimeMs, st.sizeBytes));
    return async () => {
      const found = await listing.done;
      const forgotten = cache.endListing(generation);
      lastListingMs = nowMs;
      logger.debug(`Listed request/: ${found} files, ${forgotten} gone since, ${cache.unread} unread (${Date.now() - startedMs} ms)`);
    };
  };

  const applyEvents = async (): Promise<void> => {
    const names = watcher.drain();
    for (let start = 0; start < names.length; start += DRAIN_SLICE) {
      for (const name of names.slice(start, start + DRAIN_SLICE)) {
        const st = statRequestFile(pool.request, name);
        if (st === null) cache.forget(name);
        else cache.observe(name, st.mtimeMs, st.sizeBytes);
      }
      if (start + DRAIN_SLICE < names.length) await yieldToEvents();
    }
  };

  /** New and changed requests: a full listing when due, else the events of the directory watch. */
  const discover = async (settings: RetrieverSettings, nowMs: number): Promise<void> => {
    const finishListing = startListingIfDue(settings, nowMs);
    hints.refresh(hintPath(config.current.values.retriever_hintfile));
    if (finishListing !== null) await finishListing();
    await applyEvents();
  };

  /** After the sessions started: requests not read yet (a slice per cycle), and requests of dead pool processes. */
  const tidy = async (): Promise<void> => {
    const unread = cache.unreadIds(BACKGROUND_READS_PER_CYCLE);
    if (unread.length > 0) await reader.read(unread);
    for (const pid of cache.parentPids()) {
      if (!liveness.isAlive(pid)) await reader.removeStale(pid);
    }
  };

  const measureSpace = async (): Promise<void> => {
    try {
      space = await readSpace(pool.in);
      spaceError = '';
    } catch (error) {
      space = null;
      const message = errorMessage(error);
      if (message !== spaceError) logger.warn('space_unreadable', `cannot read the free space of ${pool.in}: ${message}`);
      spaceError = message;
    }
  };

  const decide = (settings: RetrieverSettings, skipDelays: boolean): RetrieverDecision => {
    applyEnds();
    const decision = decideRetrieverCycle(settings, state, {
      nowMs: ctx.nowMs(),
      skipDelays,
      volumes: cache.summaries(),
      requestsOf: (volume) => cache.requestsOf(volume),
      running: sessions.runningVolumes(),
      space,
    });
    state = decision.nextState;
    return decision;
  };

  /** Plans, reading the requests of chosen volumes first where needed (lazy reading). */
  const decideWithReads = async (settings: RetrieverSettings, skipDelays: boolean): Promise<RetrieverDecision> => {
    let decision = decide(settings, skipDelays);
    for (let pass = 1; decision.readFirst.length > 0 && pass < MAX_DECIDE_PASSES; pass++) {
      await reader.read(decision.readFirst.flatMap((volume) => cache.unreadIdsOf(volume)));
      decision = decide(settings, skipDelays);
    }
    return decision;
  };

  const act = async (decision: RetrieverDecision): Promise<void> => {
    announcer.announce(decision, space, sessions.size);
    const reasons = decision.reasons;
    for (const reason of reasons.slice(0, MAX_LOGGED_REASONS)) logger.debug(`Retriever: ${reason}`);
    if (reasons.length > MAX_LOGGED_REASONS) logger.debug(`Retriever: ${reasons.length - MAX_LOGGED_REASONS} more volumes waiting`);
    if (decision.killSessions) sessions.killAll();
    for (const plan of decision.sessions) await sessions.start(plan);
  };

  return {
    async cycle({ skipDelays }) {
      const settings = retrieverSettings(config.current);
      const nowMs = ctx.nowMs();
      liveness.reset();
      await cleanup(nowMs);
      await discover(settings, nowMs);
      await measureSpace();
      const decision = await decideWithReads(settings, skipDelays);
      lastDecision = decision;
      await act(decision);
      await tidy();
      return Math.min(settings.sleepMs, Math.max(MIN_WAIT_MS, decision.waitMs));
    },
    figures() {
      const settings = retrieverSettings(config.current);
      return retrieverFigureValues(counters, {
        pending: cache.pendingTotals(),
        working: sessions.working(),
        freeBytes: space?.freeBytes ?? null,
        spaceState: lastDecision?.spaceState ?? 'OK',
        spaceHeld: (lastDecision?.hold ?? null) !== null,
        backoffVolumes: countBackoffVolumes(state, ctx.nowMs(), settings),
        hintMtimeMs: hints.mtimeMs,
        hintEntries: cache.hintEntries,
        busyWorkers: sessions.size,
        maxWorkers: settings.maxWorkers,
      });
    },
    async stop() {
      watcher.close();
    },
  };
}
