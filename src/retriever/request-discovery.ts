import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Logger } from '../core/log/index.js';
import type { PoolLayout } from '../core/pool/index.js';
import type { HintLoader } from './hint-loader.js';
import type { RequestCache } from './request-cache.js';
import type { RequestDirWarnings } from './request-dir-warnings.js';
import { startListing } from './request-lister.js';
import { RequestWatcher } from './request-watcher.js';
import { lstatRequestEntry } from './scan-requests.js';

/** Changed names stat-ed per slice before yielding. */
const DRAIN_SLICE = 2000;

/**
 * A full listing of request/ catches whatever events were lost: every
 * 10 × sleeptime, at least a minute and at most an hour apart (10 minutes
 * with the default sleeptime), plus at start-up, after a burst of events that
 * may have overflowed the inotify queue, and whenever the watch broke.
 */
function reconcileIntervalMs(sleepMs: number): number {
  return Math.min(Math.max(10 * sleepMs, 60_000), 3_600_000);
}

/**
 * Finds new, changed and vanished requests (SPEC 6.3): a full listing when
 * one is due, else the events of the directory watch. Entries of request/
 * that are not requests are warned about once each.
 */
export class RequestDiscovery {
  private readonly watcher: RequestWatcher;
  private lastListingMs = -Infinity;

  constructor(
    private readonly pool: PoolLayout,
    private readonly cache: RequestCache,
    private readonly logger: Logger,
    private readonly warnings: RequestDirWarnings,
  ) {
    this.watcher = new RequestWatcher(pool.request, (message) => logger.warn('request_watch_failed', message));
  }

  /**
   * One discovery pass; the hint file loads (`loadHints`) while a listing
   * runs in its worker. An abort of `signal` (the daemon stops) ends the
   * listing at once, and the pass with it.
   */
  async discover(sleepMs: number, nowMs: number, loadHints: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
    const finishListing = this.startListingIfDue(sleepMs, nowMs, signal);
    await loadHints();
    if (finishListing !== null) await finishListing();
    if (signal?.aborted === true) return;
    await this.applyEvents();
  }

  close(): void {
    this.watcher.close();
  }

  /** Starts a full listing if one is due; returns what completes it. */
  private startListingIfDue(sleepMs: number, nowMs: number, signal?: AbortSignal): (() => Promise<void>) | null {
    const { watcher, cache } = this;
    watcher.ensureStarted();
    const due = watcher.listingNeeded || nowMs - this.lastListingMs >= reconcileIntervalMs(sleepMs) || nowMs < this.lastListingMs;
    if (!due) return null;
    watcher.listingStarted();
    const generation = cache.beginListing();
    const startedMs = Date.now();
    const listing = startListing(
      this.pool.request,
      (name, st) => cache.seen(generation, name, st.mtimeMs, st.sizeBytes),
      (odd) => this.warnings.report(odd),
      signal,
    );
    return async () => {
      const found = await listing.done;
      // Cut short: what it did not reach is not gone (and the daemon stops).
      if (signal?.aborted === true) return;
      const forgotten = cache.endListing(generation);
      this.warnings.endPass();
      this.lastListingMs = nowMs;
      this.logger.debug(`Listed request/: ${found} files, ${forgotten} gone since, ${cache.unread} unread (${Date.now() - startedMs} ms)`);
    };
  }

  private async applyEvents(): Promise<void> {
    const names = this.watcher.drain();
    for (let start = 0; start < names.length; start += DRAIN_SLICE) {
      for (const name of names.slice(start, start + DRAIN_SLICE)) this.applyEvent(name);
      if (start + DRAIN_SLICE < names.length) await yieldToEvents();
    }
  }

  private applyEvent(name: string): void {
    const entry = lstatRequestEntry(this.pool.request, name);
    if (entry === null || typeof entry === 'string') {
      if (typeof entry === 'string') this.warnings.oddEntry(name, entry);
      this.cache.forget(name);
    } else {
      this.cache.observe(name, entry.mtimeMs, entry.sizeBytes);
    }
  }
}
