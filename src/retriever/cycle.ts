import { coordinatorOf, decideOwedSkip, type DaemonBehaviour, type DaemonContext } from '../core/runtime/index.js';
import type { Logger } from '../core/log/index.js';
import { HistogramAccumulator } from '../core/stats/index.js';
import { resolveHintFilePath } from '../core/hints/index.js';
import { StrayFileCleanup } from './cleanup.js';
import { retrieverFigureValues } from './figures-of.js';
import { REQUEST_WAIT_BUCKETS_SEC } from './figures.js';
import { HintLoader } from './hint-loader.js';
import type { RetrieverDecision } from './policy.js';
import { SpaceMeter } from './read-space.js';
import { RequestCache } from './request-cache.js';
import { RequestDirWarnings } from './request-dir-warnings.js';
import { RequestDiscovery } from './request-discovery.js';
import { PidLiveness, RequestReader } from './request-reader.js';
import { RetrievePlanner } from './retrieve-planner.js';
import { RetrieveSessions, type RetrieverCounters } from './retrieve-sessions.js';
import { retrieverSettings, type RetrieverSettings } from './settings.js';
import type { SpaceView } from './space.js';
import { SpaceAnnouncer } from './space-announcer.js';

/** Unread requests read per cycle in the background (~0.1 s of CPU); a volume about to be planned is read at once. */
const BACKGROUND_READS_PER_CYCLE = 20_000;
const MIN_WAIT_MS = 200;
const MAX_LOGGED_REASONS = 20;

/** The parts of the retriever, each owning its piece of state. */
interface Retriever {
  readonly cache: RequestCache;
  readonly liveness: PidLiveness;
  readonly reader: RequestReader;
  readonly hints: HintLoader;
  readonly discovery: RequestDiscovery;
  readonly cleanup: StrayFileCleanup;
  readonly meter: SpaceMeter;
  readonly announcer: SpaceAnnouncer;
  readonly sessions: RetrieveSessions;
  readonly planner: RetrievePlanner;
  readonly counters: RetrieverCounters;
  /** Ages of delivered requests, in seconds (retriever_request_wait_seconds). */
  readonly requestWaits: HistogramAccumulator;
  /** A SIGUSR1 came during a listing of request/ not complete yet (see skipsDelays). */
  readonly usr1: { owed: boolean };
}

/** How long the oldest recall still in request/ (waiting, or on a running list) has waited; null when none. */
function oldestRequestAgeMs(r: Retriever, nowMs: number): number | null {
  let oldestMs = r.sessions.oldestWorkingMs();
  for (const volume of r.cache.summaries()) oldestMs = Math.min(oldestMs, volume.oldestMs);
  return Number.isFinite(oldestMs) ? nowMs - oldestMs : null;
}

function assemble(ctx: DaemonContext): Retriever {
  const { logger, pool } = ctx;
  const requestWaits = new HistogramAccumulator(REQUEST_WAIT_BUCKETS_SEC);
  const cache = new RequestCache((sinceMs) => requestWaits.observe(Math.max(0, ctx.nowMs() - sinceMs) / 1000));
  const liveness = new PidLiveness();
  const warnings = new RequestDirWarnings(pool.request, logger);
  const reader = new RequestReader(pool, cache, logger, liveness, warnings);
  const counters: RetrieverCounters = { stagedBytes: 0, stagedFiles: 0, stageRetries: 0, failedFiles: 0, sessions: 0, freshMounts: 0 };
  const sessions = new RetrieveSessions(ctx, cache, counters);
  return {
    cache,
    liveness,
    reader,
    hints: new HintLoader(cache, logger),
    discovery: new RequestDiscovery(pool, cache, logger, warnings, () => ctx.wake()),
    cleanup: new StrayFileCleanup(pool, logger, () => sessions.workingIds()),
    meter: new SpaceMeter(pool.in, logger),
    announcer: new SpaceAnnouncer(logger),
    sessions,
    planner: new RetrievePlanner(cache, reader, sessions, logger, () => coordinatorOf(ctx).groupView()),
    counters,
    requestWaits,
    usr1: { owed: false },
  };
}

/**
 * Whether this cycle's plan skips the fill waits. An admin who sends SIGUSR1
 * wants the recalls waiting now to start: during a listing of request/ the
 * requests it listed so far start at once, and the first plan after the
 * listing is complete skips the waits once more, for the requests it found
 * later (a request that came after the signal may ride along: it cannot be
 * told apart without a second listing, and starting it early does no harm).
 */
function skipsDelays(r: Retriever, skipDelays: boolean): boolean {
  const decided = decideOwedSkip({ skipDelays, owed: r.usr1.owed, listingPending: r.discovery.listingPending });
  r.usr1.owed = decided.owed;
  return decided.skipDelays;
}

function logReasons(logger: Logger, reasons: readonly string[]): void {
  for (const reason of reasons.slice(0, MAX_LOGGED_REASONS)) logger.debug(`Retriever: ${reason}`);
  if (reasons.length > MAX_LOGGED_REASONS) logger.debug(`Retriever: ${reasons.length - MAX_LOGGED_REASONS} more volumes waiting`);
}

/** Carries out a decision: says what changed about space, kills (space FULL) and starts sessions. */
async function act(r: Retriever, logger: Logger, decision: RetrieverDecision): Promise<void> {
  r.announcer.announce(decision, r.meter.space, r.sessions.size);
  logReasons(logger, decision.reasons);
  if (decision.killSessions) r.sessions.killAll();
  for (const plan of decision.sessions) await r.sessions.start(plan);
}

/**
 * After the sessions started: requests not read yet, those of the volumes
 * next in line first (RetrievePlanner.readAheadIds), then a slice of the
 * others; and requests of dead pool processes. The reading gives way to the
 * next cycle when a session ended or a SIGUSR1 came, and to a stop.
 */
async function tidy(r: Retriever, ctx: DaemonContext, settings: RetrieverSettings, space: SpaceView | null): Promise<void> {
  const giveWay = (): boolean => r.sessions.hasEnded() || ctx.skipPending() || ctx.stopping.aborted;
  const ahead = r.planner.readAheadIds(settings, ctx.nowMs(), space);
  if (ahead.length > 0) await r.reader.read(ahead, giveWay);
  const unread = r.cache.unreadIds(Math.max(0, BACKGROUND_READS_PER_CYCLE - ahead.length));
  if (unread.length > 0) await r.reader.read(unread, giveWay);
  for (const pid of r.cache.parentPids()) {
    if (!r.liveness.isAlive(pid)) await r.reader.removeStale(pid);
  }
}

export async function createRetriever(ctx: DaemonContext): Promise<DaemonBehaviour> {
  const { config, logger } = ctx;
  const r = assemble(ctx);
  // A volume another instance read, or a session of the group's budget, may be free now: look at once when recalls wait.
  coordinatorOf(ctx).onChange(() => {
    if (r.cache.summaries().length > 0) ctx.wake();
  });
  const loadHints = (): Promise<unknown> => r.hints.refresh(resolveHintFilePath(config.current.values.retriever_hintfile, process.env), ctx.stopping);

  return {
    async cycle({ skipDelays }) {
      const settings = retrieverSettings(config.current);
      const nowMs = ctx.nowMs();
      r.liveness.reset();
      await r.cleanup.runIfDue(nowMs);
      // A SIGUSR1 does not wait for a listing under way (issue 15 item 4): it acts on the requests listed so far.
      await r.discovery.discover(settings.sleepMs, nowMs, loadHints, ctx.stopping, () => skipDelays || ctx.skipPending());
      // Stopping: no new sessions, no more reading; the stop waits for this cycle.
      if (ctx.stopping.aborted) return settings.sleepMs;
      // A SIGUSR1 came during the wait for the listing: the next cycle, at once, acts on it.
      if (!skipDelays && ctx.skipPending()) return 0;
      const space = await r.meter.measure();
      r.discovery.holdListing(); // a listing under way: the plan is made on what it found so far
      let decision;
      try {
        decision = await r.planner.plan(settings, ctx.nowMs, skipsDelays(r, skipDelays), space);
        await act(r, logger, decision);
      } finally {
        r.discovery.releaseListing();
      }
      await tidy(r, ctx, settings, space);
      // A listing that goes on wakes the cycle when it ends (see RequestDiscovery.discover).
      return Math.min(settings.sleepMs, Math.max(MIN_WAIT_MS, decision.waitMs));
    },
    figures() {
      const settings = retrieverSettings(config.current);
      const decision = r.planner.lastDecision;
      return retrieverFigureValues(r.counters, {
        pending: r.cache.pendingTotals(),
        unreadFiles: r.cache.unread,
        working: r.sessions.working(),
        freeBytes: r.meter.space?.freeBytes ?? null,
        spaceState: decision?.spaceState ?? 'OK',
        spaceHeld: (decision?.hold ?? null) !== null,
        backoffVolumes: r.planner.backoffVolumes(settings, ctx.nowMs()),
        tooLargeFiles: r.planner.tooLargeCount,
        oldestRequestAgeMs: oldestRequestAgeMs(r, ctx.nowMs()),
        requestWait: r.requestWaits.snapshot(),
        hintMtimeMs: r.hints.mtimeMs,
        hintEntries: r.cache.hintEntries,
        busyWorkers: r.sessions.size,
        maxWorkers: settings.maxWorkers,
      });
    },
    async stop() {
      r.discovery.close();
    },
  };
}
