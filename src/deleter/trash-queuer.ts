import type { DaemonContext } from '../core/runtime/index.js';
import { OddEntryWarnings } from '../core/pool/index.js';
import { errorMessage } from '../core/errors.js';
import { IdLineBuffer } from './log-lists.js';
import { queueTrash, removeQueuedTrash, type QueuedBatch, type TrashBatch, type TrashQueued } from './trash.js';

/**
 * trash/ -> trash/queue/ (SPEC 7.1): each cycle queues what dCache put in
 * trash/, then removes those trash files. A trash file leaves only once its
 * id is in a flushed queue file; what could not be queued stays and is tried
 * again the next cycle. Both run beside the cycle: a million trash files take
 * seconds to queue and a minute or more to remove, and signals must not wait
 * for that.
 */
export class TrashQueuer {
  /** Queueing what was in trash/, then removing it: trash/ is not listed again until both have ended. */
  private work: Promise<void> | null = null;
  private queueing = false;
  /** The cycle waits in queueNew for the queueing to end: no need to wake it. */
  private cycleWaiting = false;
  /** A cycle came while the work ran and did not list trash/: the end of the work wakes the next one. */
  private listingSkipped = false;
  /** Stops the queueing and the removal at once when the deleter stops. */
  private readonly stopWork = new AbortController();
  private readonly oddEntries: OddEntryWarnings;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly onQueued: (batch: TrashBatch, nowMs: number) => void,
    private readonly isStopping: () => boolean,
  ) {
    this.oddEntries = new OddEntryWarnings(ctx.pool.trash, (message) => ctx.logger.warn('odd_entry', message));
  }

  /** trash/ is still being listed into the queue. */
  get isQueueing(): boolean {
    return this.queueing;
  }

  /**
   * Starts queueing what is in trash/ now, unless the files queued last are
   * still being queued or removed, and waits for the queueing at most
   * `waitMs` (usually it takes milliseconds). The cycle is woken when
   * queueing outlasts that, and after each batch queued.
   */
  async queueNew(nowMs: number, waitMs: number): Promise<void> {
    const { pool, logger } = this.ctx;
    if (this.work !== null) {
      this.listingSkipped = true;
      logger.debug(`Deleter: ${pool.trash} is listed again once the files queued last are ${this.queueing ? 'queued and removed' : 'removed'}`);
      return;
    }
    this.queueing = true;
    this.listingSkipped = false;
    let queuedAny = false;
    const queued = this.queueAll(nowMs).finally(() => (this.queueing = false));
    this.work = queued
      .then((batches) => {
        queuedAny = batches.length > 0;
        return this.removeFromTrash(batches);
      })
      .catch((error: unknown) => logger.error('trash_queue_failed', `cannot queue the files in ${pool.trash} (they stay there and are tried again next cycle): ${errorMessage(error)}`))
      .finally(() => {
        this.work = null;
        // Only when there is something to look at again: waking after listing an
        // empty trash/ would start the next cycle at once, and that one lists it
        // again (a busy loop at 100 % of a core while idle).
        if (queuedAny || this.listingSkipped) this.wake();
      });
    await this.waitAtMost(queued, waitMs);
  }

  /** Waits for the queueing at most `waitMs`; if it goes on, the cycle is woken when it ends. */
  private async waitAtMost(queued: Promise<unknown>, waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    this.cycleWaiting = true;
    const ended = await Promise.race([queued.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)))]);
    clearTimeout(timer);
    this.cycleWaiting = false;
    if (!ended) void queued.then(() => this.wake());
  }

  /** Stops the queueing and the removal running and waits for them (the rest is queued again at the next start). */
  async stop(): Promise<void> {
    this.stopWork.abort();
    await this.work;
  }

  private wake(): void {
    if (!this.isStopping()) this.ctx.wake();
  }

  private async queueAll(nowMs: number): Promise<QueuedBatch[]> {
    const queued = await queueTrash(
      this.ctx.pool.trash,
      this.ctx.pool.queue,
      nowMs,
      {
        onBatch: (batch) => this.noteBatch(batch, nowMs),
        onOddEntry: (name, kind) => this.oddEntries.report(name, kind),
      },
      this.stopWork.signal,
    );
    this.logQueued(queued);
    return queued.batches;
  }

  private noteBatch(batch: TrashBatch, nowMs: number): void {
    this.onQueued(batch, nowMs);
    // A SIGUSR1 pass waiting for queued ids can start on this batch.
    if (!this.cycleWaiting) this.wake();
    const { logger } = this.ctx;
    if (!logger.isVerbose) return;
    const queued = new IdLineBuffer(`Queued in ${batch.name}`, (line) => logger.verbose(line));
    for (const id of batch.ids) queued.push(id);
    queued.flush();
  }

  private logQueued(queued: TrashQueued): void {
    const { pool, logger } = this.ctx;
    if (queued.ids > 0) logger.info(`Queued ${queued.ids} files for deletion (queue file${queued.files.length === 1 ? '' : 's'} ${queued.files.join(', ')})`);
    if (this.stopWork.signal.aborted) return;
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
  private async removeFromTrash(batches: QueuedBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const { pool, logger } = this.ctx;
    const startedMs = performance.now();
    try {
      const result = await removeQueuedTrash(pool.trash, batches, this.stopWork.signal);
      if (result.failures > 0) {
        logger.warn('trash_unlink_failed', `${result.failures} trash file(s) queued but not removed (they will be queued again): ${result.firstError ?? ''}`);
      }
      if (result.abandoned > 0) {
        logger.info(`${result.abandoned} queued files left in ${pool.trash} at stop: they are queued again at the next start (deleting an id twice is harmless)`);
      }
      logger.debug(`Removed ${result.removed} queued files from ${pool.trash} in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
    } catch (error) {
      logger.error('trash_unlink_failed', `removing queued files from ${pool.trash} failed (they will be queued again): ${errorMessage(error)}`);
    }
  }
}
