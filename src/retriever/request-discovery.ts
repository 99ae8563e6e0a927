import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log/index.js';
import { listingIntervalMs, type PoolLayout } from '../core/pool/index.js';
import type { HintLoader } from './hint-loader.js';
import type { RequestCache } from './request-cache.js';
import type { RequestDirWarnings } from './request-dir-warnings.js';
import { startListing } from './request-lister.js';
import { RequestWatcher } from './request-watcher.js';
import { lstatRequestEntry } from './scan-requests.js';

/** Changed names stat-ed per slice before yielding. */
const DRAIN_SLICE = 2000;
/** How often a wait for the listing asks whether to give way (a SIGUSR1). */
const GIVE_WAY_POLL_MS = 50;

/** A full listing of request/ under way; it may span cycles (a SIGUSR1 does not wait for it). */
interface ListingUnderWay {
  readonly done: Promise<number>;
  /** `done` has settled. */
  finished: boolean;
  readonly generation: number;
  /** The cycle's time when it began. */
  readonly nowMs: number;
  readonly startedMs: number;
}

/**
 * A full listing of request/ catches whatever events were lost: every
 * 10 × sleeptime, at least a minute and at most an hour apart (10 minutes
 * with the default sleeptime), plus at start-up, after a burst of events that
 * may have overflowed the inotify queue, and whenever the watch broke. And
 * never sooner than LISTING_DUTY times as long as the last listing took
 * (`lastTookMs`): at ten million requests one took 75 s, so with sleeptime
 * 5 s they ran back to back, a core busy listing and the new requests'
 * events waiting for each listing's end. Pure.
 */
export function reconcileIntervalMs(sleepMs: number, lastTookMs = 0): number {
  return listingIntervalMs(Math.min(Math.max(10 * sleepMs, 60_000), 3_600_000), lastTookMs);
}

/**
 * Finds new, changed and vanished requests (SPEC 6.3): a full listing when
 * one is due, else the events of the directory watch. Entries of request/
 * that are not requests are warned about once each.
 */
export class RequestDiscovery {
  private readonly watcher: RequestWatcher;
  private lastListingMs = -Infinity;
  /** How long the last complete listing took, by the cycle's clock. */
  private lastListingTookMs = 0;
  private listing: ListingUnderWay | null = null;
  /** While the cycle plans on what a listing found so far: what it lists meanwhile (applied by `releaseListing`). */
  private held: { names: string[]; mtimesMs: number[]; sizesBytes: number[] } | null = null;

  /** A listing of request/ has completed since start-up: the cache holds every request, and the events keep it so. */
  private listedOnce = false;

  constructor(
    private readonly pool: PoolLayout,
    private readonly cache: RequestCache,
    private readonly logger: Logger,
    private readonly warnings: RequestDirWarnings,
    /** Called when a listing has ended, for the cycle to complete it (it does not wait for a reconciling one). */
    private readonly onListingEnd: () => void = () => {},
  ) {
    this.watcher = new RequestWatcher(pool.request, (message) => logger.warn('request_watch_failed', message));
  }

  /**
   * One discovery pass; the hint file loads (`loadHints`) while a listing
   * runs in its worker. An abort of `signal` (the daemon stops) ends the
   * listing at once, and the pass with it.
   *
   * A listing of a million requests takes seconds: when `giveWay` says so (a
   * SIGUSR1 came) the pass returns without waiting for it, and the cycle acts
   * on the requests listed so far. The listing goes on, and a later pass
   * completes it: only then are the requests it did not see forgotten, and
   * the watch's events applied (as they always are, after a listing).
   *
   * The hint file is waited for, SIGUSR1 or not: without it every request
   * is in the default volume, and a session started on that would take all
   * the requests listed so far in one list, across every tape in no order,
   * and keep them (a request on a running session stays there) when the
   * hints come a few seconds later. Its load is sliced (signals are taken
   * during it) and takes about 2.5 s of work for a million entries at
   * start-up (README; 4.2 s before the id table kept its hashes, 2026-12-04).
   * So at start-up with a million hints, a SIGUSR1 takes effect when the
   * load ends: bench at 1M, load 4.6, 3.0 s from the signal.
   *
   * Only the first listing is waited for. Later ones (every 10 × sleeptime)
   * reconcile a cache the watch keeps whole, and take seconds at a million
   * requests, minutes at ten million: sessions go on starting meanwhile
   * (a drive is not left idle for a listing), while the watch's events wait
   * for the listing's end as they do for the first one.
   */
  async discover(sleepMs: number, nowMs: number, loadHints: () => Promise<unknown>, signal?: AbortSignal, giveWay: () => boolean = () => false): Promise<void> {
    this.listing ??= this.startListingIfDue(sleepMs, nowMs, signal);
    await loadHints();
    this.releaseListing();
    const listing = this.listing;
    if (listing !== null) {
      if (!(await this.finished(listing, () => this.listedOnce || giveWay()))) return;
      this.listing = null;
      await this.endListing(listing, nowMs, signal);
    }
    if (signal?.aborted === true) return;
    await this.applyEvents();
  }

  /** A listing goes on after the last pass gave way to a SIGUSR1. */
  get listingPending(): boolean {
    return this.listing !== null;
  }

  close(): void {
    this.watcher.close();
  }

  /**
   * The cycle plans on what a listing under way found so far (a SIGUSR1):
   * what it lists meanwhile is held back until `releaseListing`, so that the
   * volumes the plan reads first do not keep growing under it.
   */
  holdListing(): void {
    if (this.listing !== null) this.held ??= { names: [], mtimesMs: [], sizesBytes: [] };
  }

  releaseListing(): void {
    const { held, listing } = this;
    this.held = null;
    if (held === null || listing === null) return;
    for (let i = 0; i < held.names.length; i++) this.cache.seen(listing.generation, held.names[i] as string, held.mtimesMs[i] as number, held.sizesBytes[i] as number);
  }

  private hold(name: string, mtimeMs: number, sizeBytes: number): void {
    const held = this.held as { names: string[]; mtimesMs: number[]; sizesBytes: number[] };
    held.names.push(name);
    held.mtimesMs.push(mtimeMs);
    held.sizesBytes.push(sizeBytes);
  }

  /** Waits for the listing to end; false as soon as `giveWay` says so. */
  private async finished(listing: ListingUnderWay, giveWay: () => boolean): Promise<boolean> {
    while (!listing.finished) {
      if (giveWay()) return false;
      await Promise.race([listing.done.catch(() => 0), sleep(GIVE_WAY_POLL_MS)]);
    }
    return true;
  }

  /** Starts a full listing if one is due. */
  private startListingIfDue(sleepMs: number, nowMs: number, signal?: AbortSignal): ListingUnderWay | null {
    const { watcher, cache } = this;
    watcher.ensureStarted();
    const due = watcher.listingNeeded || nowMs - this.lastListingMs >= reconcileIntervalMs(sleepMs, this.lastListingTookMs) || nowMs < this.lastListingMs;
    if (!due) return null;
    watcher.listingStarted();
    const generation = cache.beginListing();
    const { done } = startListing(
      this.pool.request,
      (name, st) => {
        if (this.held === null) cache.seen(generation, name, st.mtimeMs, st.sizeBytes);
        else this.hold(name, st.mtimeMs, st.sizeBytes);
      },
      (odd) => this.warnings.report(odd),
      signal,
    );
    const listing: ListingUnderWay = { done, finished: false, generation, nowMs, startedMs: Date.now() };
    const settle = (): void => {
      listing.finished = true;
      this.onListingEnd();
    };
    done.then(settle, settle);
    return listing;
  }

  /** A complete listing (seen at the cycle's `nowMs`): the requests it did not see are forgotten. */
  private async endListing(listing: ListingUnderWay, nowMs: number, signal?: AbortSignal): Promise<void> {
    const { cache } = this;
    const found = await listing.done;
    // Cut short: what it did not reach is not gone (and the daemon stops).
    if (signal?.aborted === true) return;
    const forgotten = cache.endListing(listing.generation);
    this.warnings.endPass();
    this.lastListingMs = listing.nowMs;
    this.lastListingTookMs = Math.max(0, nowMs - listing.nowMs);
    this.listedOnce = true;
    this.logger.debug(`Listed request/: ${found} files, ${forgotten} gone since, ${cache.unread} unread (${Date.now() - listing.startedMs} ms)`);
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
