import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { formatLocalTime } from '../core/log/index.js';
import { errorMessage } from '../core/errors.js';
import type { DeleterSettings } from './policy.js';
import { deleterSettings } from './settings.js';
import { deleterFigureValues } from './figures-of.js';
import { removeQueueTemps } from './queue-file.js';
import { QueueRunner } from './queue-runner.js';
import { TrashQueuer } from './trash-queuer.js';
import { createVolumeHints, type VolumeHints } from './volume-hints.js';

/**
 * How long a cycle waits for trash/ to be queued before it goes on (and is
 * woken again when the queueing ends): a million trash files take seconds,
 * and SIGTERM and SIGUSR1 must take effect within 2 s.
 */
const QUEUE_WAIT_MS = 500;

export interface DeleterOptions {
  /** The random start-up skew, drawn once by the caller. */
  readonly skewMs: number;
}

/** Loads (or drops) the hint file volume-aware deletion needs. */
async function refreshHints(ctx: DaemonContext, settings: DeleterSettings, hints: VolumeHints): Promise<void> {
  if (settings.volumeQuietMs > 0) await hints.refresh(ctx.config.current.values.retriever_hintfile);
  else hints.clear();
}

/** Removes the temporary files of queue file writes a crash interrupted. */
async function removeLeftoverTemps(ctx: DaemonContext): Promise<void> {
  const { pool, logger } = ctx;
  try {
    const removed = await removeQueueTemps(pool.queue);
    if (removed.length > 0) logger.info(`Removed ${removed.length} temporary files a crash left in ${pool.queue}`);
  } catch (error) {
    logger.warn('queue_unreadable', `cannot look for temporary files left in ${pool.queue}: ${errorMessage(error)}`);
  }
}

/** At start-up: announce the schedule, load hints, clean up, count what is queued already (corrupt queue files are set aside). */
async function startUp(ctx: DaemonContext, settings: DeleterSettings, hints: VolumeHints, queue: QueueRunner): Promise<void> {
  const nextRunMs = queue.schedule(settings, ctx.nowMs());
  ctx.logger.info(
    `Processing the deletion queue on "${settings.schedule.expression}" with a skew of ${settings.skewMs / 1000} s, ` +
      `next at ${nextRunMs === null ? 'never (the schedule never fires)' : formatLocalTime(nextRunMs)}`,
  );
  if (settings.volumeQuietMs > 0) await hints.refresh(ctx.config.current.values.retriever_hintfile);
  await removeLeftoverTemps(ctx);
  const queued = await queue.recount();
  if (queued > 0) ctx.logger.info(`${queued} files already in the deletion queue (${queue.files} queue files)`);
}

export function createDeleter(ctx: DaemonContext, options: DeleterOptions): DaemonBehaviour & { ready: Promise<void> } {
  let stopping = false;
  const isStopping = (): boolean => stopping;
  const settingsNow = (): DeleterSettings => deleterSettings(ctx.config.current, options.skewMs);
  const hints = createVolumeHints(ctx.logger);
  const queue = new QueueRunner(ctx, hints, isStopping);
  const trash = new TrashQueuer(ctx, (batch, nowMs) => queue.noteQueued(batch, nowMs), isStopping);
  const ready = startUp(ctx, settingsNow(), hints, queue);

  return {
    ready,
    async cycle({ skipDelays }) {
      await ready;
      const settings = settingsNow();
      const nowMs = ctx.nowMs();
      await refreshHints(ctx, settings, hints);
      await trash.queueNew(nowMs, QUEUE_WAIT_MS);
      queue.processIfDue(settings, nowMs, skipDelays, trash.isQueueing);
      return settings.sleepMs;
    },
    figures() {
      return deleterFigureValues(queue.counters, queue.snapshotFigures(settingsNow(), ctx.nowMs()));
    },
    async stop() {
      stopping = true;
      await trash.stop();
    },
  };
}
