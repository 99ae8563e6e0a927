import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { backoffRemainingMs } from '../core/runtime/index.js';
import { formatLocalTime } from '../core/log/index.js';
import { decideDeleterCycle, initialDeleterState, nextScheduledRunMs, recordDeleteOutcome, type DeleterState, type HeldView, type ProcessReason } from './policy.js';
import { deleterSettings } from './settings.js';
import { deleterFigureValues, type DeleterCounters } from './figures-of.js';
import { earliestReleaseMs, type HeldVolume } from './volume-quiet.js';
import { readQueueSnapshot, runQueuePass, type QueuePassDeps, type QueuePassResult, type QueueSnapshot } from './queue-pass.js';
import { queueTrash, removeQueuedTrash, type TrashBatch } from './trash.js';
import { IdLineBuffer } from './log-lists.js';
import { createVolumeHints } from './volume-hints.js';
import { errorMessage } from '../core/errors.js';

export interface DeleterOptions {
  /** The random start-up skew, drawn once by the caller. */
  readonly skewMs: number;
}

interface HeldState {
  readonly ids: number;
  readonly volumes: ReadonlyMap<string, HeldVolume>;
  /** New deletions per held volume since the last pass. */
  readonly newIds: Map<string, number>;
  /** Enough new deletions arrived for some held volume to complete it: worth a pass to check. */
  mayBeCovered: boolean;
}

/** Held ids after a pass, counting deletions queued while the pass ran (they were not in its snapshot). */
function heldStateOf(h: { ids: number; volumes: ReadonlyMap<string, HeldVolume> } | null, queuedDuringPass: ReadonlyMap<string, number>): HeldState | null {
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

export function createDeleter(ctx: DaemonContext, options: DeleterOptions): DaemonBehaviour & { ready: Promise<void> } {
  const { logger, pool, sessions, config } = ctx;
  const counters: DeleterCounters = { queuedFiles: 0, deletedFiles: 0, failedRuns: 0 };
  /** Ids per known queue file: the waiting figure without re-reading the queue. */
  const queueIndex = new Map<string, number>();
  const hints = createVolumeHints(logger);
  /** When each volume last got a new deletion. */
  const lastDeletionMs = new Map<string, number>();
  let state: DeleterState = initialDeleterState(ctx.startedMs);
  let nextRunMs: number | null = null;
  let processing: Promise<void> | null = null;
  let held: HeldState | null = null;
  /** New deletions per volume while a pass runs. */
  let queuedDuringPass: Map<string, number> | null = null;
  let lastRunMs: number | null = null;
  let lastRunSuccess = false;
  let stopping = false;
  /** Removing the trash files queued last: trash/ is not listed again until it ends. */
  let removing: Promise<void> | null = null;

  const settingsNow = () => deleterSettings(config.current, options.skewMs);
  const deps: QueuePassDeps = { pool, logger, sessions, hints, values: () => config.current.values, isStopping: () => stopping };

  const noteQueued = (batch: TrashBatch, nowMs: number): void => {
    queueIndex.set(batch.name, batch.ids.length);
    counters.queuedFiles += batch.ids.length;
    const queued = new IdLineBuffer(`Queued in ${batch.name}`, (line) => logger.verbose(line));
    for (const id of batch.ids) {
      if (logger.isVerbose) queued.push(id);
      const volume = hints.active ? hints.volumeOf(id) : undefined;
      if (volume === undefined) continue;
      lastDeletionMs.set(volume, nowMs);
      queuedDuringPass?.set(volume, (queuedDuringPass.get(volume) ?? 0) + 1);
      const heldVolume = held?.volumes.get(volume);
      if (held !== null && heldVolume !== undefined) {
        const seen = (held.newIds.get(volume) ?? 0) + 1;
        held.newIds.set(volume, seen);
        if (seen >= heldVolume.missing) held.mayBeCovered = true;
      }
    }
    queued.flush();
  };

  /** Queues what is in trash/; returns what to remove from it. */
  const queueFromTrash = async (nowMs: number): Promise<readonly TrashBatch[]> => {
    const queued = await queueTrash(pool.trash, pool.queue, nowMs, (batch) => noteQueued(batch, nowMs));
    if (queued.ids > 0) logger.info(`Queued ${queued.ids} files for deletion (queue file${queued.files.length === 1 ? '' : 's'} ${queued.files.join(', ')})`);
    return queued.batches;
  };

  /**
   * Removes the queued trash files beside the rest of the work: freeing a
   * million files' blocks can take the filesystem a minute or more, and the
   * queue may be processed meanwhile (SIGUSR1, the schedule).
   */
  const removeFromTrash = (batches: readonly TrashBatch[]): void => {
    const startedMs = performance.now();
    removing = removeQueuedTrash(pool.trash, batches, () => stopping)
      .then((result) => {
        if (result.failures > 0) {
          logger.warn('trash_unlink_failed', `${result.failures} trash file(s) queued but not removed (they will be queued again): ${result.firstError ?? ''}`);
        }
        if (result.abandoned > 0) {
          logger.info(`${result.abandoned} queued files left in ${pool.trash} at stop: they are queued again at the next start (deleting an id twice is harmless)`);
        }
        logger.debug(`Removed ${result.removed} queued files from ${pool.trash} in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
      })
      .catch((error: unknown) => logger.error('trash_unlink_failed', `removing queued files from ${pool.trash} failed (they will be queued again): ${errorMessage(error)}`))
      .finally(() => {
        removing = null;
        if (!stopping) ctx.wake();
      });
  };

  const forgetProcessed = (snapshot: QueueSnapshot): void => {
    for (const name of snapshot.files) queueIndex.delete(name);
    for (const name of snapshot.setAside) queueIndex.delete(name);
  };

  /** Bookkeeping after a pass: figures, back-off, held ids. */
  const applyPass = (result: QueuePassResult): void => {
    const nowMs = ctx.nowMs();
    switch (result.kind) {
      case 'stopped':
        return;
      case 'empty':
        forgetProcessed(result.snapshot);
        held = null;
        state = recordDeleteOutcome(state, 0, nowMs);
        return;
      case 'all-held':
        for (const [name, ids] of result.snapshot.idsPerFile) queueIndex.set(name, ids);
        for (const name of result.snapshot.setAside) queueIndex.delete(name);
        held = heldStateOf(result.held, queuedDuringPass ?? new Map());
        return;
      case 'done':
        forgetProcessed(result.snapshot);
        for (const file of result.written) queueIndex.set(file.name, file.ids);
        counters.deletedFiles += result.deleted;
        if (result.failed > 0) counters.failedRuns++;
        lastRunMs = nowMs;
        lastRunSuccess = result.failed === 0;
        state = recordDeleteOutcome(state, result.failed, nowMs);
        held = heldStateOf(result.held, queuedDuringPass ?? new Map());
    }
  };

  const startProcessing = (reason: ProcessReason): void => {
    if (reason === 'signal') logger.info('Processing the deletion queue as instructed by SIGUSR1');
    queuedDuringPass = new Map();
    processing = runQueuePass(deps, lastDeletionMs, ctx.nowMs)
      .then(applyPass)
      .catch(async (error: unknown) => {
        state = recordDeleteOutcome(state, 1, ctx.nowMs());
        logger.error('queue_processing_failed', `processing the deletion queue failed (retrying later): ${errorMessage(error)}`);
        await recount();
      })
      .finally(() => {
        processing = null;
        queuedDuringPass = null;
        ctx.wake();
      });
  };

  const heldView = (): HeldView | null =>
    held === null ? null : { ids: held.ids, earliestReleaseMs: earliestReleaseMs(held.volumes), newDeletions: held.mayBeCovered };

  /** Counts what is queued (and sets corrupt queue files aside), for the figures. */
  const recount = async (): Promise<number> => {
    try {
      const snapshot = await readQueueSnapshot(deps, true);
      queueIndex.clear();
      let queued = 0;
      for (const [name, ids] of snapshot.idsPerFile) {
        queueIndex.set(name, ids);
        queued += ids;
      }
      return queued;
    } catch (error) {
      logger.warn('queue_unreadable', `cannot read the deletion queue: ${errorMessage(error)}`);
      return 0;
    }
  };

  /** At start-up: count what is queued already, set corrupt queue files aside. */
  const ready = (async () => {
    const settings = settingsNow();
    nextRunMs = nextScheduledRunMs(settings, ctx.nowMs());
    logger.info(
      `Processing the deletion queue on "${settings.schedule.expression}" with a skew of ${settings.skewMs / 1000} s, ` +
        `next at ${nextRunMs === null ? 'never (the schedule never fires)' : formatLocalTime(nextRunMs)}`,
    );
    if (settings.volumeQuietMs > 0) await hints.refresh(config.current.values.retriever_hintfile);
    const queued = await recount();
    if (queued > 0) logger.info(`${queued} files already in the deletion queue (${queueIndex.size} queue files)`);
  })();

  return {
    ready,
    async cycle({ skipDelays }) {
      await ready;
      const settings = settingsNow();
      const nowMs = ctx.nowMs();
      if (settings.volumeQuietMs > 0) await hints.refresh(config.current.values.retriever_hintfile);
      else hints.clear();
      if (removing === null) {
        try {
          const batches = await queueFromTrash(nowMs);
          if (batches.length > 0) removeFromTrash(batches);
        } catch (error) {
          // The queue is still processed: a trash/ problem must not stop deletions already queued.
          logger.error('trash_queue_failed', `cannot queue the files in ${pool.trash}: ${errorMessage(error)}`);
        }
      } else {
        logger.debug(`Deleter: ${pool.trash} is listed again once the files queued last are removed`);
      }
      const decision = decideDeleterCycle(settings, state, {
        nowMs,
        skipDelays,
        sessionRunning: processing !== null,
        queueFiles: queueIndex.size,
        held: heldView(),
      });
      state = decision.nextState;
      nextRunMs = decision.nextRunMs;
      for (const reason of decision.reasons) logger.debug(`Deleter: ${reason}`);
      if (decision.process !== null) startProcessing(decision.process);
      return settings.sleepMs;
    },
    figures() {
      const settings = settingsNow();
      let waitingIds = 0;
      for (const ids of queueIndex.values()) waitingIds += ids;
      return deleterFigureValues(counters, {
        waitingIds,
        heldIds: held?.ids ?? 0,
        queueFiles: queueIndex.size,
        lastRunMs,
        lastRunSuccess,
        nextRunMs,
        sessionRunning: sessions.size > 0,
        backoffFailures: state.backoff.failures,
        backoffRemainingMs: state.retryPending ? backoffRemainingMs(state.backoff, ctx.nowMs(), settings.sleepMs, settings.backoffMaxMs) : 0,
      });
    },
    async stop() {
      stopping = true;
      await removing;
    },
  };
}
