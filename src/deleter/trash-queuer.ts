import type { DaemonContext } from '../core/runtime/index.js';
import { OddEntryWarnings } from '../core/pool/index.js';
import { errorMessage } from '../core/errors.js';
import { IdLineBuffer } from './log-lists.js';
import { queueTrash, removeQueuedTrash, type TrashBatch, type TrashQueued } from './trash.js';

/**
 * trash/ -> trash/queue/ (SPEC 7.1): each cycle queues what dCache put in
 * trash/, then removes those trash files in the background. A trash file
 * leaves only once its id is in a flushed queue file; what could not be
 * queued stays and is tried again the next cycle.
 */
export class TrashQueuer {
  /** Removing the trash files queued last: trash/ is not listed again until it ends. */
  private removing: Promise<void> | null = null;
  /** Stops the removal at once when the deleter stops. */
  private readonly stopRemoval = new AbortController();
  private readonly oddEntries: OddEntryWarnings;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly onQueued: (batch: TrashBatch, nowMs: number) => void,
    private readonly isStopping: () => boolean,
  ) {
    this.oddEntries = new OddEntryWarnings(ctx.pool.trash, (message) => ctx.logger.warn('odd_entry', message));
  }

  /** Queues what is in trash/ now, unless the files queued last are still being removed. */
  async queueNew(nowMs: number): Promise<void> {
    const { pool, logger } = this.ctx;
    if (this.removing !== null) {
      logger.debug(`Deleter: ${pool.trash} is listed again once the files queued last are removed`);
      return;
    }
    const queued = await queueTrash(pool.trash, pool.queue, nowMs, {
      onBatch: (batch) => this.noteBatch(batch, nowMs),
      onOddEntry: (name, kind) => this.oddEntries.report(name, kind),
    });
    this.logQueued(queued);
    if (queued.batches.length > 0) this.removeFromTrash(queued.batches);
  }

  /** Stops the removal running and waits for it (the rest is queued again at the next start). */
  async stop(): Promise<void> {
    this.stopRemoval.abort();
    await this.removing;
  }

  private noteBatch(batch: TrashBatch, nowMs: number): void {
    this.onQueued(batch, nowMs);
    const { logger } = this.ctx;
    if (!logger.isVerbose) return;
    const queued = new IdLineBuffer(`Queued in ${batch.name}`, (line) => logger.verbose(line));
    for (const id of batch.ids) queued.push(id);
    queued.flush();
  }

  private logQueued(queued: TrashQueued): void {
    const { pool, logger } = this.ctx;
    if (queued.ids > 0) logger.info(`Queued ${queued.ids} files for deletion (queue file${queued.files.length === 1 ? '' : 's'} ${queued.files.join(', ')})`);
    if (queued.error === null) {
      this.oddEntries.endPass();
      return;
    }
    // The queue is still processed: a trash/ problem must not stop deletions already queued.
    logger.error('trash_queue_failed', `cannot queue the files in ${pool.trash} (they stay there and are tried again next cycle): ${queued.error}`);
  }

  /**
   * Removes the queued trash files beside the rest of the work: freeing a
   * million files' blocks can take the filesystem a minute or more, and the
   * queue may be processed meanwhile (SIGUSR1, the schedule).
   */
  private removeFromTrash(batches: readonly TrashBatch[]): void {
    const { pool, logger } = this.ctx;
    const startedMs = performance.now();
    this.removing = removeQueuedTrash(pool.trash, batches, this.stopRemoval.signal)
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
        this.removing = null;
        if (!this.isStopping()) this.ctx.wake();
      });
  }
}
