import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { backoffRemainingMs, coordinatorOf, decideOwedSkip } from '../core/runtime/index.js';
import { DirIndex } from '../core/pool/index.js';
import type { ConfigSnapshot } from '../core/config/index.js';
import { decideArchiverCycle, INITIAL_ARCHIVER_STATE, recordArchiveOutcome, type ArchiverSettings, type ArchiverState } from './policy.js';
import { archiverSettings } from './settings.js';
import { archiverFigureValues } from './figures-of.js';
import { decideCycleWork, type CycleWorkDecision } from './cycle-work.js';
import { ArchiveSessions, type EndedArchive } from './archive-sessions.js';
import { SentFiles } from './sent-files.js';

/**
 * While sessions run the loop looks every second (SPEC 5), cheaply: out/ is
 * listed only every sleeptime (and not even then when its mtime shows no
 * change), and the policy runs only when something changed or a timer is due.
 */
const BUSY_CYCLE_MS = 1000;
/** How often held files are tried again (permissions fixed?); SIGUSR1 tries at once. */
const HELD_RECHECK_MS = 600_000;

/** The archiver's shell: look at out/, account ended sessions, decide, start sessions. */
class Archiver implements DaemonBehaviour {
  private readonly index: DirIndex;
  private readonly sessions: ArchiveSessions;
  private readonly sent: SentFiles;
  private state: ArchiverState = INITIAL_ARCHIVER_STATE;
  private lastScanMs = -Infinity;
  /** How long the last complete listing of out/ took, by the cycle's clock (a listing of ten million names: 40 s and more). */
  private lastListingTookMs = 0;
  private lastDecisionMs = -Infinity;
  private recheckAtMs: number | null = null;
  private lastConfig: ConfigSnapshot | undefined;
  /** The world changed since the policy last looked. */
  private changed = true;
  private lastHeldRecheckMs: number;
  /** A SIGUSR1 came during a listing of out/: what the rest of it finds is flushed too once it is complete. */
  private flushOwed = false;

  constructor(private readonly ctx: DaemonContext) {
    this.index = new DirIndex(ctx.pool.out, { warnOddEntry: (message) => ctx.logger.warn('odd_entry', message) });
    this.sent = new SentFiles(ctx);
    this.sessions = new ArchiveSessions(ctx, this.index, this.sent);
    this.lastHeldRecheckMs = ctx.nowMs();
  }

  /** Before the first cycle: files earlier runs saw archived but still in out/ are removed or held, never archived again. */
  async recover(): Promise<void> {
    const removed = this.sent.recover();
    this.sessions.countRemoved(removed);
    if (removed.length > 0) this.ctx.logger.info(`Removed ${removed.length} files from out/ that dsmc had archived before the restart but could not remove`);
    await this.sent.persist();
  }

  async cycle({ skipDelays }: { readonly skipDelays: boolean }): Promise<number> {
    const current = this.ctx.config.current;
    const settings = archiverSettings(current);
    const nowMs = this.ctx.nowMs();
    const work = this.planWork(current, settings, nowMs, this.sessions.takeEnded(), skipDelays);
    const ended = await this.scan(work, nowMs);
    if (ended === null) return settings.sleepMs; // stopping: the listing was cut short
    for (const session of ended) this.accountEnded(session);
    this.recheckHeld(nowMs, skipDelays);
    const listingPending = this.index.listingPending;
    // SIGUSR1 means "flush everything in out/": during a listing, what it found so far now, the rest once it is complete.
    const { skipDelays: flushAll, owed } = decideOwedSkip({ skipDelays, owed: this.flushOwed, listingPending });
    this.flushOwed = owed;
    if (work.decide || this.changed || flushAll) await this.decide(settings, nowMs, flushAll, ended.length);
    await this.sent.persist();
    // A listing handed out part of out/ (a SIGUSR1 came): it goes on at once.
    if (listingPending) return 0;
    return this.sessions.size > 0 ? BUSY_CYCLE_MS : settings.sleepMs;
  }

  private planWork(current: ConfigSnapshot, settings: ArchiverSettings, nowMs: number, ended: readonly EndedArchive[], skipDelays: boolean): CycleWorkDecision & { readonly ended: readonly EndedArchive[] } {
    const { lastScanMs, lastListingTookMs, lastDecisionMs, recheckAtMs } = this;
    const changed = this.changed || current !== this.lastConfig;
    this.lastConfig = current;
    const listingPending = this.index.listingPending;
    const work = decideCycleWork({ nowMs, sleepMs: settings.sleepMs, lastScanMs, lastListingTookMs, lastDecisionMs, recheckAtMs, changed, sessionsEnded: ended.length, skipDelays, listingPending });
    return { ...work, ended };
  }

  /**
   * Lists out/ when the work plan says so (a listing gives way to a SIGUSR1:
   * it hands out what it found so far and goes on next cycle). Returns the
   * ended sessions that may be accounted now: those a complete listing begun
   * after they ended has looked at (a file their dsmc removed is gone from
   * the index). The others are put back for a later listing. Null when a
   * stop cut the listing short (all put back, nothing else changed).
   */
  private async scan(work: CycleWorkDecision & { readonly ended: readonly EndedArchive[] }, nowMs: number): Promise<readonly EndedArchive[] | null> {
    const { ended } = work;
    const resumed = this.index.listingPending;
    let changes;
    try {
      changes = work.scan === 'none' ? null : await this.index.update({ force: work.scan === 'full', signal: this.ctx.stopping, yieldWhen: this.ctx.skipPending });
    } catch (error) {
      this.sessions.putBack(ended);
      throw error;
    }
    if (work.scan === 'none' || changes === null || !changes.complete || resumed) this.sessions.putBack(ended);
    if (work.scan === 'none') return [];
    if (changes === null) return null;
    this.logPartialListing(changes.complete, resumed);
    this.lastScanMs = nowMs;
    if (changes.listed && changes.complete && !resumed) this.lastListingTookMs = Math.max(0, this.ctx.nowMs() - nowMs);
    if (this.sessions.applyChanges(changes)) this.changed = true;
    // Nothing keeps `changes`: files sessions flush leave the index without a copy of its columns.
    this.index.releaseSnapshots();
    return changes.complete && !resumed ? ended : [];
  }

  /** Says when a listing gives way to a SIGUSR1, and when such a listing is complete (rare: not every listing is logged). */
  private logPartialListing(complete: boolean, resumed: boolean): void {
    if (!complete) this.ctx.logger.debug(`Listing out/: ${this.index.size} files known so far; acting on them first (SIGUSR1), the listing goes on`);
    else if (resumed) this.ctx.logger.debug(`Listed out/: ${this.index.size} files (the listing went on after a SIGUSR1)`);
  }

  private accountEnded(ended: EndedArchive): void {
    const result = this.sessions.accountEnded(ended);
    if (result !== 'killed-by-us') this.state = recordArchiveOutcome(this.state, result === 'succeeded', this.ctx.nowMs());
    this.changed = true;
  }

  /** Held files are tried again now and then: once permissions are fixed they leave out/. */
  private recheckHeld(nowMs: number, skipDelays: boolean): void {
    if (this.sent.heldCount === 0) return;
    if (!skipDelays && nowMs - this.lastHeldRecheckMs < HELD_RECHECK_MS && nowMs >= this.lastHeldRecheckMs) return;
    this.lastHeldRecheckMs = nowMs;
    const { removed, released } = this.sent.recheck();
    this.sessions.countRemoved(removed);
    if (removed.length > 0) this.ctx.logger.info(`Removed ${removed.length} held files from out/: dsmc had archived them`);
    // Gone or replaced by a new file: forgotten, so that the next listing takes a new file as new work.
    for (const name of released) this.index.forget(name);
    if (released.length > 0) this.changed = true;
  }

  /** Runs the policy; `flushAll`: a SIGUSR1 (now, or owed since a listing that is now complete) flushes everything pending. */
  private async decide(settings: ArchiverSettings, nowMs: number, flushAll: boolean, endedSessions: number): Promise<void> {
    const { working } = this.sessions;
    const groupSlots = coordinatorOf(this.ctx).groupView().slots.archive;
    const previous = this.state;
    const decision = decideArchiverCycle(settings, previous, {
      nowMs,
      // For this decision only (the sessions it plans get copies of their files): kept between cycles, it
      // would make the index copy a million files' columns at the first file a session flushes (issue 15).
      files: this.index.snapshot(),
      working,
      held: this.sent.heldNames,
      runningSessions: this.sessions.size,
      endedSessions,
      skipDelays: flushAll,
      groupSlots,
    });
    this.index.releaseSnapshots();
    this.state = decision.nextState;
    this.lastDecisionMs = nowMs;
    this.recheckAtMs = decision.recheckAtMs;
    this.changed = false;
    for (const reason of decision.reasons) this.ctx.logger.debug(`Archiver: ${reason}`);
    try {
      for (const plan of decision.sessions) if (!(await this.sessions.start(plan))) return this.leaseRefused(previous);
    } catch (error) {
      this.changed = true; // a session that could not start (e.g. its list not written): decide again next cycle
      throw error;
    }
  }

  /** Another instance took the group's last session first: the data goes on waiting as it did, and the next change decides again. */
  private leaseRefused(previous: ArchiverState): void {
    this.state = { ...this.state, waitStartMs: previous.waitStartMs, retryPending: previous.retryPending };
    this.changed = true;
  }

  /** A session of the group may be free now: decide again at once when data waits. */
  groupChanged(): void {
    if (this.sessions.totals().pendingFiles === 0) return;
    this.changed = true;
    this.ctx.wake();
  }

  figures(): Record<string, number> {
    const settings = archiverSettings(this.ctx.config.current);
    const totals = this.sessions.totals();
    return archiverFigureValues(this.sessions.counters, {
      totals: { usageFiles: this.index.size, usageBytes: this.index.totalBytes, pendingFiles: totals.pendingFiles, pendingBytes: totals.pendingBytes },
      workingFiles: totals.workingFiles,
      workingBytes: totals.workingBytes,
      heldFiles: this.sent.heldCount,
      runningSessions: this.sessions.size,
      level: this.state.level,
      backoffFailures: this.state.backoff.failures,
      backoffRemainingMs: backoffRemainingMs(this.state.backoff, this.ctx.nowMs(), settings.sleepMs, settings.backoffMaxMs),
    });
  }
}

export async function createArchiver(ctx: DaemonContext): Promise<DaemonBehaviour> {
  const archiver = new Archiver(ctx);
  await archiver.recover();
  coordinatorOf(ctx).onChange(() => archiver.groupChanged());
  return archiver;
}
