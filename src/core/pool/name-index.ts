/**
 * Compact name lookups for a million pool files. A JS Map or Set of a
 * million strings costs 20-28 MB of heap, and about as much again in the
 * tables it outgrows on the way, which stay in the old generation until the
 * next full collection: at a million files that garbage alone pushed the
 * archiver's peak memory past its budget. Here the table is one Int32Array
 * (outside the JS heap) of ids whose names are kept by the caller, so no
 * name is stored twice.
 */

/** Smallest table; always a power of two. */
const MIN_CAPACITY = 1024;

/** FNV-1a over the UTF-16 code units, then a final mix (pnfsids differ mostly in their last characters). */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * An open-addressing hash index (linear probing, at most half full) from
 * names to non-negative integer ids; `nameOf` gives the name of an id while
 * it is in the index. Deletion shifts entries back, so there are no
 * tombstones and a table that sees a million deletions stays fast.
 */
export class NameHashIndex {
  /** id + 1 per bucket; 0 = empty. */
  private table = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private count = 0;

  constructor(private readonly nameOf: (id: number) => string) {}

  get size(): number {
    return this.count;
  }

  /** The id of `name`, or -1. */
  find(name: string): number {
    const { table, mask } = this;
    for (let bucket = hashName(name) & mask; ; bucket = (bucket + 1) & mask) {
      const entry = table[bucket] as number;
      if (entry === 0) return -1;
      if (this.nameOf(entry - 1) === name) return entry - 1;
    }
  }

  /** Adds an id whose name is not in the index yet (the caller checks). */
  insert(id: number): void {
    if ((this.count + 1) * 2 > this.table.length) this.resize(this.table.length * 2);
    this.place(id);
    this.count++;
  }

  /** Removes `name`; returns its id, or -1 when it was not there. */
  delete(name: string): number {
    const { table, mask } = this;
    let bucket = hashName(name) & mask;
    for (; ; bucket = (bucket + 1) & mask) {
      const entry = table[bucket] as number;
      if (entry === 0) return -1;
      if (this.nameOf(entry - 1) === name) break;
    }
    const id = (table[bucket] as number) - 1;
    // Backward shift: move later entries of the probe run into the hole when their home allows it.
    let hole = bucket;
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const entry = table[next] as number;
      if (entry === 0) break;
      const home = hashName(this.nameOf(entry - 1)) & mask;
      // The entry may move to the hole unless its home lies cyclically in (hole, next].
      const homeBetween = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!homeBetween) {
        table[hole] = entry;
        hole = next;
      }
    }
    table[hole] = 0;
    this.count--;
    if (this.table.length > MIN_CAPACITY && this.count * 8 < this.table.length) this.resize(this.table.length / 2);
    return id;
  }

  /**
   * Room for `total` ids at once: a set about to take a million names grows
   * its table once instead of through every size on the way (garbage that
   * stays outside the heap until V8 next collects).
   */
  reserve(total: number): void {
    let capacity = this.table.length;
    while (capacity < total * 2) capacity *= 2;
    if (capacity > this.table.length) this.resize(capacity);
  }

  clear(): void {
    this.table = new Int32Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.count = 0;
  }

  /** Builds the index of ids 0..n-1 for which `present` holds, at the right size at once. */
  rebuild(n: number, present: (id: number) => boolean): void {
    let live = 0;
    for (let id = 0; id < n; id++) if (present(id)) live++;
    let capacity = MIN_CAPACITY;
    while (capacity < live * 2) capacity *= 2;
    this.table = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.count = live;
    for (let id = 0; id < n; id++) if (present(id)) this.place(id);
  }

  private place(id: number): void {
    const { table, mask } = this;
    let bucket = hashName(this.nameOf(id)) & mask;
    while (table[bucket] !== 0) bucket = (bucket + 1) & mask;
    table[bucket] = id + 1;
  }

  private resize(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (const entry of old) if (entry !== 0) this.place(entry - 1);
  }
}

/**
 * A set of names (e.g. the files in running sessions' lists) that holds one
 * reference per name, no copy, with its hash table outside the JS heap.
 * Each name has a small integer id while it is in the set (ids of deleted
 * names are reused), so a caller can keep per-name data in typed arrays.
 */
export class CompactNameSet {
  private names: (string | undefined)[] = [];
  /** Freed ids as a stack in a typed array: a million of them in an array of numbers cost twice as much heap, and more as it grows. */
  private free = new Uint32Array(0);
  private freeCount = 0;
  /** Ids below this have been given out (the names array may be longer: reserved). */
  private nextId = 0;
  private readonly index = new NameHashIndex((id) => this.names[id] as string);

  get size(): number {
    return this.index.size;
  }

  has(name: string): boolean {
    return this.index.find(name) >= 0;
  }

  /** The id of `name`, or -1 when it is not in the set. */
  idOf(name: string): number {
    return this.index.find(name);
  }

  /** Before adding `more` names: the table and the names array grow once, to their final size. */
  reserve(more: number): void {
    this.index.reserve(this.index.size + more);
    const needed = this.nextId + Math.max(0, more - this.freeCount);
    if (needed <= this.names.length) return;
    const bigger = new Array<string | undefined>(needed);
    for (let id = 0; id < this.nextId; id++) bigger[id] = this.names[id];
    this.names = bigger;
  }

  /** Adds `name` (once); returns its id. */
  add(name: string): number {
    const known = this.index.find(name);
    if (known >= 0) return known;
    const id = this.freeCount > 0 ? (this.free[--this.freeCount] as number) : this.nextId++;
    if (id < this.names.length) this.names[id] = name;
    else this.names.push(name);
    this.index.insert(id);
    return id;
  }

  delete(name: string): boolean {
    const id = this.index.delete(name);
    if (id < 0) return false;
    this.names[id] = undefined;
    if (this.index.size === 0) {
      // Empty again: drop the id space rather than keep a free list as long as the set once was.
      this.clear();
      return true;
    }
    if (this.freeCount === this.free.length) {
      const bigger = new Uint32Array(Math.max(1024, this.free.length * 2));
      bigger.set(this.free);
      this.free = bigger;
    }
    this.free[this.freeCount++] = id;
    return true;
  }

  /**
   * Empties the set at once: deleting a million names one by one would
   * shrink the table through every size and stack a million freed ids.
   */
  clear(): void {
    this.names = [];
    this.nextId = 0;
    this.free = new Uint32Array(0);
    this.freeCount = 0;
    this.index.clear();
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let id = 0; id < this.nextId; id++) {
      const name = this.names[id];
      if (name !== undefined) yield name;
    }
  }
}
