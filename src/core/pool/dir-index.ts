import fs from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isPnfsid } from './pnfsid.js';
import { statPoolFile, type PoolFile } from './scan.js';
import { NameHashIndex } from './name-index.js';
import { entryKind, OddEntryWarnings, type OddEntryWarn } from './odd-entries.js';

/** What an update found: files new to the index, files gone from the directory. */
export interface DirChanges {
  /** False when the directory was not listed (unchanged since a settled listing). */
  readonly listed: boolean;
  readonly added: readonly PoolFile[];
  readonly removed: readonly PoolFile[];
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

const UNCHANGED: DirChanges = { listed: false, added: [], removed: [] };

/** Whether an unchanged stamp may be trusted: the directory's last change was well before we stat-ed it. Pure. */
export function isSettledStamp(stamp: DirStamp, statAtMs: number): boolean {
  return statAtMs - Math.max(stamp.mtimeMs, stamp.ctimeMs) > SETTLE_MS;
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
 * Memory matters at a million files: each file is one slot (its PoolFile in
 * `slots`, the listing that last saw it in `seenIn`), found by name through a
 * hash table of slot numbers outside the JS heap; a listing walks the
 * directory entry by entry and keeps no array of the names it saw.
 */
export class DirIndex {
  private slots: (PoolFile | undefined)[] = [];
  /** name → slot; built only when first needed after a first listing. */
  private readonly slotOf = new NameHashIndex((slot) => (this.slots[slot] as PoolFile).name);
  private slotOfBuilt = true;
  private seenIn: Uint32Array = new Uint32Array(0);
  /** Free slots as a stack outside the JS heap (a million of them in an array of numbers is heap garbage as it grows). */
  private freeSlots: Uint32Array = new Uint32Array(0);
  private freeCount = 0;
  private listing = 0;
  private count = 0;
  private stamp: DirStamp | undefined;
  private stampSettled = false;
  private listedAtMs = -Infinity;
  private bytes = 0;
  private readonly maxUnlistedMs: number;
  private readonly nowMs: () => number;
  private readonly oddEntries: OddEntryWarnings | undefined;

  constructor(
    private readonly dir: string,
    options: DirIndexOptions = {},
  ) {
    this.maxUnlistedMs = options.maxUnlistedMs ?? 600_000;
    this.nowMs = options.nowMs ?? Date.now;
    this.oddEntries = options.warnOddEntry === undefined ? undefined : new OddEntryWarnings(dir, options.warnOddEntry);
  }

  private index(): NameHashIndex {
    if (!this.slotOfBuilt) {
      this.slotOf.rebuild(this.slots.length, (slot) => this.slots[slot] !== undefined);
      this.slotOfBuilt = true;
    }
    return this.slotOf;
  }

  get files(): IterableIterator<PoolFile> {
    return this.snapshot().values();
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
    return slot < 0 ? undefined : this.slots[slot];
  }

  /** Every file known, as an array the index never changes (the caller may keep it). */
  snapshot(): readonly PoolFile[] {
    if (this.count === this.slots.length) return this.slots as readonly PoolFile[];
    const out: PoolFile[] = [];
    for (const file of this.slots) if (file !== undefined) out.push(file);
    return out;
  }

  private add(file: PoolFile): void {
    const slot = this.freeCount > 0 ? (this.freeSlots[--this.freeCount] as number) : this.slots.length;
    if (slot === this.slots.length) {
      // A new array rather than a push: arrays handed out by snapshot() stay as they were.
      if (this.slots.length > 0 && this.count === this.slots.length) this.slots = this.slots.slice();
      this.slots.push(file);
    } else {
      this.slots[slot] = file;
    }
    if (this.slotOfBuilt) this.slotOf.insert(slot);
    this.count++;
    this.bytes += file.sizeBytes;
  }

  private removeSlot(slot: number): PoolFile | undefined {
    const file = this.slots[slot];
    if (file === undefined) return undefined;
    this.index().delete(file.name); // while the slot still names the file: the table looks names up through it
    if (this.count === this.slots.length) this.slots = this.slots.slice();
    this.slots[slot] = undefined;
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grow(this.freeSlots, this.freeCount + 1);
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
    this.bytes -= file.sizeBytes;
    return file;
  }

  /** Empty again (a flushed backlog): drop the slot arrays sized for the largest the directory ever was. */
  private releaseStorage(): void {
    this.slots = [];
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
  }

  /**
   * Lists (when the directory may have changed, or always with `force`) and
   * brings the index up to date. Null when `signal` was aborted during the
   * listing: it stopped at its next slice and the index is as it was.
   */
  update(options?: { readonly force?: boolean }): Promise<DirChanges>;
  update(options: { readonly force?: boolean; readonly signal: AbortSignal }): Promise<DirChanges | null>;
  async update(options: { readonly force?: boolean; readonly signal?: AbortSignal } = {}): Promise<DirChanges | null> {
    const statAtMs = this.nowMs();
    const st = fs.statSync(this.dir);
    const stamp: DirStamp = { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    const fresh = statAtMs >= this.listedAtMs && statAtMs - this.listedAtMs < this.maxUnlistedMs;
    if (options.force !== true && fresh && this.stampSettled && this.stamp !== undefined && sameStamp(stamp, this.stamp)) return UNCHANGED;
    const listed = await this.list(options.signal);
    if (listed === null) return null;
    const { added, removed } = listed;
    this.stamp = stamp;
    this.stampSettled = isSettledStamp(stamp, statAtMs);
    this.listedAtMs = statAtMs;
    return { listed: true, added, removed };
  }

  /**
   * One pass over the directory: known names are marked seen, new names
   * stat-ed; then the unseen are dropped. Null, with nothing changed, when
   * `signal` is aborted before the pass ends.
   */
  private async list(signal?: AbortSignal): Promise<{ added: PoolFile[]; removed: PoolFile[] } | null> {
    const first = this.count === 0 && this.slots.length === 0;
    const listing = ++this.listing;
    if (this.seenIn.length < this.slots.length) this.seenIn = grow(this.seenIn, this.slots.length);
    const known = first ? undefined : this.index();
    const added: PoolFile[] = [];
    let present = 0;
    const handle = await fs.promises.opendir(this.dir, { bufferSize: 1024 });
    try {
      for (let handled = 1; ; handled++) {
        const entry = handle.readSync();
        if (entry === null) break;
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
          present++;
        } else {
          const file = statPoolFile(this.dir, name);
          if (file !== null) added.push(file);
        }
        if (handled % ENTRIES_PER_TURN === 0) {
          await yieldToEventLoop();
          if (signal?.aborted === true) return null;
        }
      }
    } finally {
      await handle.close();
    }
    this.oddEntries?.endPass();
    const removed: PoolFile[] = [];
    if (present < this.count) {
      for (let slot = 0; slot < this.slots.length; slot++) {
        if (this.slots[slot] !== undefined && this.seenIn[slot] !== listing) removed.push(this.removeSlot(slot) as PoolFile);
      }
    }
    if (this.count === 0 && this.slots.length > 0) this.releaseStorage();
    if (first) {
      // A first listing of a big directory: its array becomes the slots as it is, the name index waits.
      this.slots = added;
      this.count = added.length;
      for (const file of added) this.bytes += file.sizeBytes;
      this.slotOfBuilt = false;
    } else {
      for (const file of added) this.add(file);
    }
    return { added, removed };
  }

  /** Lists (always) and returns every file known. */
  async refresh(): Promise<PoolFile[]> {
    await this.update({ force: true });
    return [...this.snapshot()];
  }
}

function grow(array: Uint32Array, atLeast: number): Uint32Array {
  const bigger = new Uint32Array(Math.max(atLeast, array.length * 2, 1024));
  bigger.set(array);
  return bigger;
}
