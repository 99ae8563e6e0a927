import { LOCAL_GROUP_VIEW, type GroupView } from '../core/coordination/index.js';
import type { Logger } from '../core/log/index.js';
import { formatBytes } from '../core/units.js';
import {
  countBackoffVolumes,
  decideReadAhead,
  decideRetrieverCycle,
  INITIAL_RETRIEVER_STATE,
  recordRetrieveOutcome,
  type RetrieverDecision,
  type RetrieverState,
  type RetrieverView,
} from './policy.js';
import type { RequestCache } from './request-cache.js';
import type { RequestReader } from './request-reader.js';
import type { RetrieveSessions } from './retrieve-sessions.js';
import type { RetrieverSettings } from './settings.js';
import type { SpaceView } from './space.js';
import { decideTooLarge, NO_TOO_LARGE, TOO_LARGE_LOG_INTERVAL_MS, type TooLargeRequest, type TooLargeState } from './too-large.js';

/** Read-then-decide passes per cycle (each reads at least one volume). */
const MAX_DECIDE_PASSES = 20;
/** Too-large requests named one by one per hour; the rest are counted in one line. */
const MAX_NAMED_TOO_LARGE = 50;

/**
 * Holds the policy's state between cycles and asks it for each cycle's
 * decision: session ends are applied between decisions, never during one,
 * and volumes the policy wants read first are read before it decides again.
 */
export class RetrievePlanner {
  private state: RetrieverState = INITIAL_RETRIEVER_STATE;
  private tooLarge: TooLargeState = NO_TOO_LARGE;
  private last: RetrieverDecision | null = null;

  constructor(
    private readonly cache: RequestCache,
    private readonly reader: RequestReader,
    private readonly sessions: RetrieveSessions,
    private readonly logger: Logger,
    /** The group as the coordinator sees it now (issue 12). */
    private readonly groupView: () => GroupView = () => LOCAL_GROUP_VIEW,
  ) {}

  /** The latest decision; null before the first. */
  get lastDecision(): RetrieverDecision | null {
    return this.last;
  }

  /** Requests known to be too large for in/ (figure retriever_too_large_files). */
  get tooLargeCount(): number {
    return this.tooLarge.size;
  }

  backoffVolumes(settings: RetrieverSettings, nowMs: number): number {
    return countBackoffVolumes(this.state, nowMs, settings);
  }

  /** Plans the cycle, reading the requests of chosen volumes first where needed (lazy reading). */
  async plan(settings: RetrieverSettings, nowMs: () => number, skipDelays: boolean, space: SpaceView | null): Promise<RetrieverDecision> {
    let decision = this.decide(settings, nowMs(), skipDelays, space);
    for (let pass = 1; decision.readFirst.length > 0 && pass < MAX_DECIDE_PASSES; pass++) {
      await this.reader.read(decision.readFirst.flatMap((volume) => this.cache.unreadIdsOf(volume)));
      decision = this.decide(settings, nowMs(), skipDelays, space);
    }
    this.last = decision;
    this.noteTooLarge(decision, nowMs());
    return decision;
  }

  /**
   * Requests to read ahead while every slot is busy: those of the volumes
   * next in line (decideReadAhead), so that a slot freed starts the next
   * session without reading them first. Empty while a slot is free (the plan
   * reads what it chooses).
   */
  readAheadIds(settings: RetrieverSettings, nowMs: number, space: SpaceView | null): string[] {
    if (this.sessions.size < settings.maxWorkers) return [];
    const volumes = decideReadAhead(settings, this.state, this.view(nowMs, false, space), settings.maxWorkers);
    return volumes.flatMap((volume) => this.cache.unreadIdsOf(volume));
  }

  private decide(settings: RetrieverSettings, nowMs: number, skipDelays: boolean, space: SpaceView | null): RetrieverDecision {
    for (const end of this.sessions.takeEnded()) this.state = recordRetrieveOutcome(this.state, end.volume, end, nowMs);
    const decision = decideRetrieverCycle(settings, this.state, this.view(nowMs, skipDelays, space));
    this.state = decision.nextState;
    return decision;
  }

  private view(nowMs: number, skipDelays: boolean, space: SpaceView | null): RetrieverView {
    return {
      nowMs,
      skipDelays,
      volumes: this.cache.summaries(),
      requestsOf: (volume) => this.cache.requestsOf(volume),
      running: this.sessions.runningVolumes(),
      space,
      group: this.groupView(),
    };
  }

  private noteTooLarge(decision: RetrieverDecision, nowMs: number): void {
    const waiting = new Set(this.cache.summaries().map((s) => s.name));
    const { next, toLog } = decideTooLarge(this.tooLarge, { nowMs, found: decision.tooLarge, examined: new Set(decision.examined), waiting });
    this.tooLarge = next;
    this.logTooLarge(toLog, decision);
  }

  private logTooLarge(requests: readonly TooLargeRequest[], decision: RetrieverDecision): void {
    const killLine = formatBytes(decision.lines?.killLineBytes ?? 0);
    for (const r of requests.slice(0, MAX_NAMED_TOO_LARGE)) {
      this.logger.warn('recall_too_large', `request/${r.id} (volume ${r.volume}) wants ${formatBytes(r.sizeBytes)}: more than the filesystem of in/ can ever hold above the kill line (${killLine}); it stays in request/, other recalls go on`);
    }
    const more = requests.length - MAX_NAMED_TOO_LARGE;
    if (more > 0) this.logger.warn('recall_too_large', `${more} more request(s) are larger than in/ can ever hold; they stay in request/ (named again in ${TOO_LARGE_LOG_INTERVAL_MS / 60_000} minutes)`);
  }
}
