import fs from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isPnfsid } from './pnfsid.js';
import { statPoolFile, type PoolFile } from './scan.js';
import { PoolFiles, PoolFilesBuilder } from './pool-files.js';
import { NameHashIndex } from './name-index.js';
import { entryKind, OddEntryWarnings, type OddEntryWarn } from './odd-entries.js';
import { ParallelStats, STAT_WORKER_URL } from './parallel-stat.js';

/** What an update found: files new to the index, files gone from the directory. */
export interface DirChanges {
  /** False when the directory was not listed (unchanged since a settled listing). */
  readonly listed: boolean;
  /**
   * False: part of a listing that goes on at the next update (`yieldWhen`);
   * `removed` is empty until the listing is complete.
   */
  readonly complete: boolean;
  readonly added: PoolFiles;
  readonly removed: PoolFiles;
}

export interface DirIndexOptions {
  /**
   * List anyway when the last listing is older than this, even if the
   * directory looks unchanged (a filesystem whose directory times cannot be
   * trusted, e.g. NFS attribute caching). Default 10 minutes.
   */
  readonly maxUnlistedMs?: number;
  readonly nowMs?: () => number;
  /**
   * Told once about each entry with a pnfsid name that is not a regular file
   * (symlink, directory, FIFO, socket), naming it; such entries are skipped.
   */
  readonly warnOddEntry?: OddEntryWarn;
  /**
   * From this many new names in one listing on (the first listing of a big
   * out/), new names are lstat-ed in batches on both cores: a worker thread
   * takes part of them (parallel-stat.ts). Default 20,000: small directories
   * and the steady state (a few new names a cycle) start no thread.
   */
  readonly parallelStatFrom?: number;
  /** The stat worker's module (tests: one that fails). */
  readonly statWorkerUrl?: URL;
}

/** The identity and times of a directory: any entry added or removed changes its mtime. */
interface DirStamp {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * A directory time this close to (or after) the moment we looked may be
 * shared by a later change within the filesystem's timestamp granularity:
 * such a stamp is not trusted to mean "unchanged" (as git's racy-index rule).
 */
const SETTLE_MS = 2000;
/** Directory entries handled between two turns of the event loop (stats included). */
const ENTRIES_PER_TURN = 5000;
/**
 * New names from which their stats go to a worker thread beside the listing.
 * The worker's start costs CPU that a listing of 100,000 new names does not
 * win back (archiver at 100k, CPU to the first session: 2.18 s with the worker
 * from 20,000, 1.56 s without; Perl 1.66 s); at a million it cuts the wall time (both cores stat).
 */
const PARALLEL_STAT_FROM = 200_000;

const UNCHANGED: DirChanges = { listed: false, complete: true, added: PoolFiles.EMPTY, removed: PoolFiles.EMPTY };

/** Whether an unchanged stamp may be trusted: the directory's last change was well before we stat-ed it. Pure. */
export function isSettledStamp(stamp: DirStamp, statAtMs: number): boolean {
  return statAtMs - Math.max(stamp.mtimeMs, stamp.ctimeMs) > SETTLE_MS;
}

/** A listing under way between two updates. */
interface PendingListing {
  readonly handle: fs.Dir;
  /** Marks the slots it saw (`seenIn`). */
  readonly listing: number;
  /** The directory's stamp when the listing began. */
  readonly stamp: DirStamp;
  readonly statAtMs: number;
  /** The index was empty when it began, and nothing of it is in the index yet: names need no look-up. */
  first: boolean;
  /** Files it saw that the index holds (marked seen). */
  present: number;
  /** New files since the last part handed out. */
  newFiles: PoolFilesBuilder;
  /** New names it met (stat-ed or not), up to `parallelStatFrom`. */
  newNames: number;
  /** New names being stat-ed in batches, during one `listSlices`. */
  stats: ParallelStats | null;
}

function sameStamp(a: DirStamp, b: DirStamp): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * Knows the hexadecimal regular files of one directory with size and mtime
 * (symlinks, directories, FIFOs and sockets are skipped). An update
 * lists names and stats only names it has not seen: files in out/ are hard
 * links that do not change, so re-stat-ing a million of them each cycle is
 * wasted work. It does not even list a directory whose mtime shows no change
 * since a settled listing. Totals are kept as files come and go.
 *
 * Memory matters at a million files: each file is one slot (its name in
 * `slots`, its size and mtime in typed arrays, the listing that last saw it
 * in `seenIn`: no object per file), found by name through a hash table of
 * slot numbers outside the JS heap; a listing walks the directory entry by
 * entry and keeps no array of the names it saw.
 */
export class DirIndex {
  /** The name in each slot; undefined: a free slot. */
  private slots: (string | undefined)[] = [];
  private sizes: Float64Array = new Float64Array(0);
  private mtimes: Float64Array = new Float64Array(0);
  /** The columns are shared with a snapshot handed out: copied before the next change. */
  private shared = false;
  /** name → slot; built only when first needed after a first listing. */
  private readonly slotOf = new NameHashIndex((slot) => this.slots[slot] as string);
  private slotOfBuilt = true;
  private seenIn: Uint32Array = new Uint32Array(0);
  /** Free slots as a stack outside the JS heap (a million of them in an array of numbers is heap garbage as it grows). */
  private freeSlots: Uint32Array = new Uint32Array(0);
  private freeCount = 0;
  private listing = 0;
  private pending: PendingListing | null = null;
  private count = 0;
  private stamp: DirStamp | undefined;
  private stampSettled = false;
  private listedAtMs = -Infinity;
  private bytes = 0;
  private readonly maxUnlistedMs: number;
  private readonly nowMs: () => number;
  private readonly oddEntries: OddEntryWarnings | undefined;
  private readonly parallelStatFrom: number;
  private readonly statWorkerUrl: URL;

  constructor(
    private readonly dir: string,
    options: DirIndexOptions = {},
  ) {
    this.maxUnlistedMs = options.maxUnlistedMs ?? 600_000;
    this.nowMs = options.nowMs ?? Date.now;
    this.oddEntries = options.warnOddEntry === undefined ? undefined : new OddEntryWarnings(dir, options.warnOddEntry);
    this.parallelStatFrom = options.parallelStatFrom ?? PARALLEL_STAT_FROM;
    this.statWorkerUrl = options.statWorkerUrl ?? STAT_WORKER_URL;
  }

  private index(): NameHashIndex {
    if (!this.slotOfBuilt) {
      this.slotOf.rebuild(this.slots.length, (slot) => this.slots[slot] !== undefined);
      this.slotOfBuilt = true;
    }
    return this.slotOf;
  }

  get size(): number {
    return this.count;
  }

  /** Sum of the sizes of the files known. */
  get totalBytes(): number {
    return this.bytes;
  }

  get(name: string): PoolFile | undefined {
    const slot = this.index().find(name);
    return slot < 0 ? undefined : { name, sizeBytes: this.sizes[slot] as number, mtimeMs: this.mtimes[slot] as number };
  }

  has(name: string): boolean {
    return this.index().find(name) >= 0;
  }

  /** Every file known, as a table the index never changes (the caller may keep it). */
  snapshot(): PoolFiles {
    const n = this.slots.length;
    if (this.count === n) {
      this.shared = true;
      return new PoolFiles(this.slots as readonly string[], this.sizes.subarray(0, n), this.mtimes.subarray(0, n));
    }
    const out = new PoolFilesBuilder(this.count);
    for (let slot = 0; slot < n; slot++) {
      const name = this.slots[slot];
      if (name !== undefined) out.push(name, this.sizes[slot] as number, this.mtimes[slot] as number);
    }
    return out.build();
  }

  /**
   * The caller keeps no snapshot, nor the `added` of an update, any more (nor
   * anything that shares their columns: `pick` and `slice` copy): the next
   * change need not copy a million files' columns to keep them as they were.
   */
  releaseSnapshots(): void {
    this.shared = false;
  }

  /** Before a change: columns a snapshot shares are copied, so that it stays as it was. */
  private own(): void {
    if (!this.shared) return;
    this.slots = this.slots.slice();
    this.sizes = this.sizes.slice();
    this.mtimes = this.mtimes.slice();
    this.shared = false;
  }

  private add(name: string, sizeBytes: number, mtimeMs: number, seenBy: number): void {
    this.own();
    const slot = this.freeCount > 0 ? (this.freeSlots[--this.freeCount] as number) : this.slots.length;
    if (slot === this.slots.length) this.slots.push(name);
    else this.slots[slot] = name;
    if (slot >= this.sizes.length) {
      this.sizes = grown(this.sizes, slot + 1);
      this.mtimes = grown(this.mtimes, slot + 1);
    }
    this.sizes[slot] = sizeBytes;
    this.mtimes[slot] = mtimeMs;
    if (slot >= this.seenIn.length) this.seenIn = grow(this.seenIn, slot + 1);
    this.seenIn[slot] = seenBy;
    if (this.slotOfBuilt) this.slotOf.insert(slot);
    this.count++;
    this.bytes += sizeBytes;
  }

  /** Empties a slot; false when it was free. */
  private removeSlot(slot: number): boolean {
    const name = this.slots[slot];
    if (name === undefined) return false;
    this.index().delete(name); // while the slot still names the file: the table looks names up through it
    this.own();
    this.slots[slot] = undefined;
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grow(this.freeSlots, this.freeCount + 1);
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
    this.bytes -= this.sizes[slot] as number;
    return true;
  }

  /** Empty again (a flushed backlog): drop the slot arrays sized for the largest the directory ever was. */
  private releaseStorage(): void {
    this.slots = [];
    this.sizes = new Float64Array(0);
    this.mtimes = new Float64Array(0);
    this.shared = false;
    this.freeSlots = new Uint32Array(0);
    this.freeCount = 0;
    this.seenIn = new Uint32Array(0);
    this.slotOf.clear();
    this.slotOfBuilt = true;
  }

  /** Forget a name, e.g. after its file was seen gone; the next update stats it again if it is back. */
  forget(name: string): void {
    const slot = this.index().find(name);
    if (slot < 0) return;
    this.removeSlot(slot);
    this.stampSettled = false;
    // A listing under way may have counted it seen: its count no longer tells whether all were; every slot is looked at.
    if (this.pending !== null) this.pending.present = 0;
  }

  /** A listing handed out part of its files and goes on at the next update (see `update`'s `yieldWhen`). */
  get listingPending(): boolean {
    return this.pending !== null;
  }

  /**
   * Lists (when the directory may have changed, or always with `force`) and
   * brings the index up to date. Null when `signal` was aborted during the
   * listing: it stopped at its next slice, and the index is as the last
   * update left it.
   *
   * `yieldWhen` (asked at each slice) lets a caller act on what a long
   * listing found so far (issue 15 item 4: a SIGUSR1 during a listing of a
   * million files): the files found so far are added to the index and
   * returned with `complete: false`, and the next update goes on with the
   * same listing (whatever `force` says). Files the listing did not see are
   * dropped only when it is complete.
   */
  update(options?: { readonly force?: boolean }): Promise<DirChanges>;
  update(options: { readonly force?: boolean; readonly signal: AbortSignal; readonly yieldWhen?: () => boolean }): Promise<DirChanges | null>;
  async update(options: { readonly force?: boolean; readonly signal?: AbortSignal; readonly yieldWhen?: () => boolean } = {}): Promise<DirChanges | null> {
    if (this.pending === null) {
      const statAtMs = this.nowMs();
      const st = fs.statSync(this.dir);
      const stamp: DirStamp = { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
      const fresh = statAtMs >= this.listedAtMs && statAtMs - this.listedAtMs < this.maxUnlistedMs;
      if (options.force !== true && fresh && this.stampSettled && this.stamp !== undefined && sameStamp(stamp, this.stamp)) return UNCHANGED;
      this.pending = await this.beginListing(stamp, statAtMs);
    }
    const pending = this.pending;
    const end = await this.listSlices(pending, options.signal, options.yieldWhen);
    if (end === 'aborted') {
      this.pending = null;
      await pending.handle.close();
      return null;
    }
    const added = this.commitPart(pending);
    if (end === 'yielded') return { listed: true, complete: false, added, removed: PoolFiles.EMPTY };
    this.pending = null;
    await pending.handle.close();
    this.oddEntries?.endPass();
    // present is reset to 0 when a file was forgotten meanwhile: then how many were not seen is not known.
    const unseen = pending.present > 0 ? this.count - pending.present : 0;
    const removed = pending.present < this.count ? this.removeUnseen(pending.listing, unseen) : PoolFiles.EMPTY;
    if (this.count === 0 && this.slots.length > 0) this.releaseStorage();
    this.stamp = pending.stamp;
    this.stampSettled = isSettledStamp(pending.stamp, pending.statAtMs);
    this.listedAtMs = pending.statAtMs;
    return { listed: true, complete: true, added, removed };
  }

  private async beginListing(stamp: DirStamp, statAtMs: number): Promise<PendingListing> {
    const listing = ++this.listing;
    const handle = await fs.promises.opendir(this.dir, { bufferSize: 1024 });
    // A first listing of an empty index need not look names up: each name comes once.
    const first = this.count === 0 && this.slots.length === 0;
    return { handle, listing, stamp, statAtMs, first, present: 0, newFiles: new PoolFilesBuilder(), newNames: 0, stats: null };
  }

  /**
   * Walks the directory a slice at a time: known names are marked seen, new
   * names stat-ed into `newFiles`. Ends at the end of the directory, at an
   * abort of `signal`, or when `yieldWhen` says so; every new name it met
   * is then in `newFiles` (unless aborted), and no stat worker runs.
   */
  private async listSlices(pending: PendingListing, signal?: AbortSignal, yieldWhen?: () => boolean): Promise<'done' | 'yielded' | 'aborted'> {
    try {
      const end = await this.walk(pending, signal, yieldWhen);
      if (end !== 'aborted') await pending.stats?.finish();
      return end;
    } finally {
      pending.stats?.close();
      pending.stats = null;
    }
  }

  private async walk(pending: PendingListing, signal?: AbortSignal, yieldWhen?: () => boolean): Promise<'done' | 'yielded' | 'aborted'> {
    const { handle, listing } = pending;
    if (this.seenIn.length < this.slots.length) this.seenIn = grow(this.seenIn, this.slots.length);
    const known = pending.first ? undefined : this.index();
    for (let handled = 1; ; handled++) {
      const entry = handle.readSync();
      if (entry === null) return 'done';
      const { name } = entry;
      if (!isPnfsid(name)) continue;
      // The entry's type comes with the listing (no system call): a symlink is never followed.
      const kind = entryKind(entry);
      if (kind !== 'file') {
        this.oddEntries?.report(name, kind);
        continue;
      }
      const slot = known === undefined ? -1 : known.find(name);
      if (slot >= 0) {
        this.seenIn[slot] = listing;
        pending.present++;
      } else this.statNew(pending, name);
      if (handled % ENTRIES_PER_TURN === 0) {
        await yieldToEventLoop();
        if (signal?.aborted === true) return 'aborted';
        if (yieldWhen?.() === true) return 'yielded';
      }
    }
  }

  /** A new name: stat-ed here, or (from `parallelStatFrom` new names on) batched for both cores. */
  private statNew(pending: PendingListing, name: string): void {
    if (pending.stats === null && pending.newNames < this.parallelStatFrom) {
      pending.newNames++;
      const file = statPoolFile(this.dir, name);
      if (file !== null) pending.newFiles.push(name, file.sizeBytes, file.mtimeMs);
      return;
    }
    pending.stats ??= new ParallelStats(this.dir, pending.newFiles, this.statWorkerUrl);
    pending.stats.add(name);
  }

  /** The new files found since the last part go into the index, marked seen by this listing; returns them. */
  private commitPart(pending: PendingListing): PoolFiles {
    const added = pending.newFiles.build();
    pending.newFiles = new PoolFilesBuilder();
    if (pending.first && this.count === 0 && this.slots.length === 0) {
      // A first listing of a big directory: its columns become the slots as they are (shared with
      // `added`, so copied before a change), the name index waits.
      const { names, sizes, mtimes } = added.columns();
      this.slots = names as (string | undefined)[];
      this.sizes = sizes;
      this.mtimes = mtimes;
      this.shared = true;
      this.count = added.length;
      this.bytes = added.totalBytes();
      this.slotOfBuilt = false;
      if (this.seenIn.length < this.slots.length) this.seenIn = grow(this.seenIn, this.slots.length);
      this.seenIn.fill(pending.listing, 0, this.slots.length);
    } else {
      for (let i = 0; i < added.length; i++) this.add(added.name(i), added.sizeBytes(i), added.mtimeMs(i), pending.listing);
    }
    // Names the index holds now are looked up when the listing goes on.
    pending.first = false;
    pending.present += added.length;
    return added;
  }

  /**
   * Drops the files the listing did not see; returns them. `expected`: how
   * many (0: not known): the table is made that size at once, not grown
   * through every size (garbage outside the heap at each listing while
   * sessions flush a million files, issue 15).
   */
  private removeUnseen(listing: number, expected: number): PoolFiles {
    const removed = new PoolFilesBuilder(expected);
    for (let slot = 0; slot < this.slots.length; slot++) {
      const name = this.slots[slot];
      if (name === undefined || this.seenIn[slot] === listing) continue;
      removed.push(name, this.sizes[slot] as number, this.mtimes[slot] as number);
      this.removeSlot(slot);
    }
    return removed.build();
  }

  /** Lists (always) and returns every file known. */
  async refresh(): Promise<PoolFile[]> {
    await this.update({ force: true });
    return this.snapshot().toArray();
  }
}

function grown(column: Float64Array, atLeast: number): Float64Array {
  const bigger = new Float64Array(Math.max(atLeast, column.length * 2, 1024));
  bigger.set(column);
  return bigger;
}

function grow(array: Uint32Array, atLeast: number): Uint32Array {
  const bigger = new Uint32Array(Math.max(atLeast, array.length * 2, 1024));
  bigger.set(array);
  return bigger;
}
