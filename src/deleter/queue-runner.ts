import type { DaemonContext } from '../core/runtime/index.js';
import { backoffRemainingMs, coordinatorOf } from '../core/runtime/index.js';
import { OddEntryWarnings } from '../core/pool/index.js';
import { errorMessage } from '../core/errors.js';
import { decideDeleterCycle, initialDeleterState, nextScheduledRunMs, recordDeleteOutcome, type DeleterSettings, type DeleterState, type HeldView, type ProcessReason } from './policy.js';
import type { DeleterCounters, DeleterSnapshotFigures } from './figures-of.js';
import { earliestReleaseMs, type HeldVolume } from './volume-quiet.js';
import { readQueueSnapshot, runQueuePass, type HeldIds, type QueuePassDeps, type QueuePassResult, type QueueSnapshot } from './queue-pass.js';
import type { TrashBatch } from './trash.js';
import type { VolumeHints } from './volume-hints.js';

interface HeldState {
  readonly ids: number;
  readonly volumes: ReadonlyMap<string, HeldVolume>;
  /** New deletions per held volume since the last pass. */
  readonly newIds: Map<string, number>;
  /** Enough new deletions arrived for some held volume to complete it: worth a pass to check. */
  mayBeCovered: boolean;
}

/** Held ids after a pass, counting deletions queued while the pass ran (they were not in its snapshot). */
function heldStateOf(h: HeldIds | null, queuedDuringPass: ReadonlyMap<string, number>): HeldState | null {
  if (h === null) return null;
  const newIds = new Map<string, number>();
  let mayBeCovered = false;
  for (const [volume, count] of queuedDuringPass) {
    const heldVolume = h.volumes.get(volume);
    if (heldVolume === undefined) continue;
    newIds.set(volume, count);
    if (count >= heldVolume.missing) mayBeCovered = true;
  }
  return { ...h, newIds, mayBeCovered };
}

/**
 * The deletion queue's bookkeeping (SPEC 7.2–7.3): what is queued per file,
 * the schedule and back-off state, the ids volume-aware deletion holds, and
 * the processing pass running in the background.
 */
export class QueueRunner {
  readonly counters: DeleterCounters = { queuedFiles: 0, deletedFiles: 0, failedRuns: 0, sessions: 0 };
  /** Ids per known queue file: the waiting figure without re-reading the queue. */
  private readonly queueIndex = new Map<string, number>();
  /** When each volume last got a new deletion. */
  private readonly lastDeletionMs = new Map<string, number>();
  private readonly deps: QueuePassDeps;
  private state: DeleterState;
  private nextRunMs: number | null = null;
  private processing: Promise<void> | null = null;
  private held: HeldState | null = null;
  /** New deletions per volume while a pass runs. */
  private queuedDuringPass: Map<string, number> | null = null;
  private lastRunMs: number | null = null;
  private lastRunSuccess = false;
  /** Processing was due but the coordination group had no session free: a change there wakes the deleter. */
  private waitsForGroup = false;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly hints: VolumeHints,
    isStopping: () => boolean,
  ) {
    const { pool, logger, sessions, history, config } = ctx;
    this.state = initialDeleterState(ctx.startedMs);
    const oddQueueEntries = new OddEntryWarnings(pool.queue, (message) => logger.warn('odd_entry', message));
    const coordinator = coordinatorOf(ctx);
    this.deps = { pool, logger, sessions, history, coordinator, hints, values: () => config.current.values, isStopping, oddQueueEntries };
    coordinator.onChange(() => {
      if (this.waitsForGroup) ctx.wake();
    });
  }

  /** Queue files known. */
  get files(): number {
    return this.queueIndex.size;
  }

  /** The first scheduled processing after `nowMs` (at start-up). */
  schedule(settings: DeleterSettings, nowMs: number): number | null {
    this.nextRunMs = nextScheduledRunMs(settings, nowMs);
    return this.nextRunMs;
  }

  /** Counts a batch just queued from trash/ (it may complete a held volume). */
  noteQueued(batch: TrashBatch, nowMs: number): void {
    this.queueIndex.set(batch.name, batch.ids.length);
    this.counters.queuedFiles += batch.ids.length;
    if (!this.hints.active) return;
    for (const id of batch.ids) {
      const volume = this.hints.volumeOf(id);
      if (volume !== undefined) this.noteVolumeDeletion(volume, nowMs);
    }
  }

  private noteVolumeDeletion(volume: string, nowMs: number): void {
    this.lastDeletionMs.set(volume, nowMs);
    this.queuedDuringPass?.set(volume, (this.queuedDuringPass.get(volume) ?? 0) + 1);
    const heldVolume = this.held?.volumes.get(volume);
    if (this.held === null || heldVolume === undefined) return;
    const seen = (this.held.newIds.get(volume) ?? 0) + 1;
    this.held.newIds.set(volume, seen);
    if (seen >= heldVolume.missing) this.held.mayBeCovered = true;
  }

  /** Decides whether the queue is processed now (SPEC 7.2) and if so starts a pass in the background. */
  processIfDue(settings: DeleterSettings, nowMs: number, skipDelays: boolean, trashQueueing: boolean): void {
    const decision = decideDeleterCycle(settings, this.state, {
      nowMs,
      skipDelays,
      sessionRunning: this.processing !== null,
      trashQueueing,
      queueFiles: this.queueIndex.size,
      held: this.heldView(),
    });
    this.state = decision.nextState;
    this.nextRunMs = decision.nextRunMs;
    for (const reason of decision.reasons) this.ctx.logger.debug(`Deleter: ${reason}`);
    if (decision.process === null) return;
    if (this.deps.coordinator?.groupView().slots.delete === 0) {
      this.deferForGroup();
      this.ctx.logger.debug('Deleter: no session free in the coordination group budget: processing waits');
      return;
    }
    this.waitsForGroup = false;
    // The last reason given is the one that starts the pass.
    this.startProcessing(decision.process, decision.reasons.at(-1) ?? decision.process);
  }

  /** Due but no session free in the group: tried again each cycle (as a retry) until one is. */
  private deferForGroup(): void {
    this.waitsForGroup = true;
    this.state = { ...this.state, retryPending: true };
  }

  private heldView(): HeldView | null {
    const { held } = this;
    return held === null ? null : { ids: held.ids, earliestReleaseMs: earliestReleaseMs(held.volumes), newDeletions: held.mayBeCovered };
  }

  private startProcessing(reason: ProcessReason, reasonText: string): void {
    const { ctx } = this;
    if (reason === 'signal') ctx.logger.info('Processing the deletion queue as instructed by SIGUSR1');
    this.queuedDuringPass = new Map();
    const start = { reason: reasonText, nowMs: ctx.nowMs, onSessionEnd: () => this.counters.sessions++ };
    this.processing = runQueuePass(this.deps, this.lastDeletionMs, start)
      .then((result) => this.applyPass(result))
      .catch(async (error: unknown) => {
        this.state = recordDeleteOutcome(this.state, 1, ctx.nowMs());
        ctx.logger.error('queue_processing_failed', `processing the deletion queue failed (retrying later): ${errorMessage(error)}`);
        await this.recount();
      })
      .finally(() => {
        this.processing = null;
        this.queuedDuringPass = null;
        ctx.wake();
      });
  }

  /** Bookkeeping after a pass: figures, back-off, held ids. */
  private applyPass(result: QueuePassResult): void {
    const nowMs = this.ctx.nowMs();
    if (result.kind === 'stopped') return;
    if (result.kind === 'deferred') {
      for (const [name, ids] of result.snapshot.idsPerFile) this.queueIndex.set(name, ids);
      for (const name of result.snapshot.setAside) this.queueIndex.delete(name);
      this.deferForGroup();
      return;
    }
    if (result.kind === 'all-held') {
      for (const [name, ids] of result.snapshot.idsPerFile) this.queueIndex.set(name, ids);
      for (const name of result.snapshot.setAside) this.queueIndex.delete(name);
      this.held = heldStateOf(result.held, this.queuedDuringPass ?? new Map());
      return;
    }
    this.forgetProcessed(result.snapshot);
    if (result.kind === 'empty') {
      this.held = null;
      this.state = recordDeleteOutcome(this.state, 0, nowMs);
      return;
    }
    for (const file of result.written) this.queueIndex.set(file.name, file.ids);
    this.counters.deletedFiles += result.deleted;
    if (result.failed > 0) this.counters.failedRuns++;
    this.lastRunMs = nowMs;
    this.lastRunSuccess = result.failed === 0;
    this.state = recordDeleteOutcome(this.state, result.failed, nowMs);
    this.held = heldStateOf(result.held, this.queuedDuringPass ?? new Map());
  }

  private forgetProcessed(snapshot: QueueSnapshot): void {
    for (const name of snapshot.files) this.queueIndex.delete(name);
    for (const name of snapshot.setAside) this.queueIndex.delete(name);
  }

  /** Counts what is queued (and sets corrupt queue files aside), for the figures. */
  async recount(): Promise<number> {
    try {
      const snapshot = await readQueueSnapshot(this.deps, true);
      this.queueIndex.clear();
      let queued = 0;
      for (const [name, ids] of snapshot.idsPerFile) {
        this.queueIndex.set(name, ids);
        queued += ids;
      }
      return queued;
    } catch (error) {
      this.ctx.logger.warn('queue_unreadable', `cannot read the deletion queue: ${errorMessage(error)}`);
      return 0;
    }
  }

  /** What the figures need from the queue's bookkeeping. */
  snapshotFigures(settings: DeleterSettings, nowMs: number): DeleterSnapshotFigures {
    let waitingIds = 0;
    for (const ids of this.queueIndex.values()) waitingIds += ids;
    const { state } = this;
    return {
      waitingIds,
      heldIds: this.held?.ids ?? 0,
      queueFiles: this.queueIndex.size,
      lastRunMs: this.lastRunMs,
      lastRunSuccess: this.lastRunSuccess,
      nextRunMs: this.nextRunMs,
      sessionRunning: this.ctx.sessions.size > 0,
      backoffFailures: state.backoff.failures,
      backoffRemainingMs: state.retryPending ? backoffRemainingMs(state.backoff, nowMs, settings.sleepMs, settings.backoffMaxMs) : 0,
    };
  }
}
