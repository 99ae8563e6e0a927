import { growableArray, grownArray } from '../core/growable-array.js';
import { PackedIdTable } from '../core/pool/index.js';

/**
 * Compact storage for a million ids: each id gets a slot number, and what we
 * know about its request file lives in typed-array columns indexed by slot
 * (45 bytes per slot, where an object per id costs several times that).
 * Hint data (HintColumns, 29 bytes per slot) and request data share the slot
 * of an id, so an id known from both costs one name and one table entry.
 * Measured in-process at 1,000,000 requests, all hinted, before the ids were
 * packed: 130 bytes per request (the id's string and its place in an array
 * about 63 on the JS heap; the columns, the id table and the volume groups'
 * links 67 outside it), and 31 more for the hints.
 */

/** Request states; a slot in state ABSENT has no request file (it may still carry a hint). */
export const ABSENT = 0;
/** Seen in request/ (stat only); its JSON not read yet. */
export const UNREAD = 1;
/** A valid recall request waiting for a session. */
export const PENDING = 2;
/** Not a recall (a flush request): not ours. */
export const IGNORED = 3;
/** Unreadable or invalid; warned about once, skipped until the file changes. */
export const INVALID = 4;
/** In the list of a running session. */
export const WORKING = 5;
/** Staged into in/; waiting for dCache to take the file and remove the request. */
export const STAGED = 6;

export type RequestStateCode = typeof ABSENT | typeof UNREAD | typeof PENDING | typeof IGNORED | typeof INVALID | typeof WORKING | typeof STAGED;

const INITIAL_CAPACITY = 1024;

export class SlotStore {
  /**
   * id <-> slot, the ids packed as bytes outside the JS heap (see
   * packed-id-table.ts). Before: a string per id in an array, and a
   * NameHashIndex; before that, a Map of a million ids (some 30 MB of heap,
   * and as much again while it grew).
   */
  private readonly ids = new PackedIdTable();
  /** Slot numbers handed out so far (free ones included). */
  private slotExtent = 0;
  private readonly freeSlots: number[] = [];
  private capacity = INITIAL_CAPACITY;

  // Request columns (grown in place: see growable-array.ts).
  /** The request file's mtime: tells a rewritten file from an unchanged one. */
  mtimeMs = growableArray(Float64Array, INITIAL_CAPACITY);
  /** The mtime when the request was first seen: its age, kept when dCache rewrites the file (a retry). */
  sinceMs = growableArray(Float64Array, INITIAL_CAPACITY);
  statSize = growableArray(Float64Array, INITIAL_CAPACITY);
  /** file_size from the JSON; -1 until read. */
  fileSize = growableArray(Float64Array, INITIAL_CAPACITY).fill(-1);
  /** parent_pid; 0 when none. */
  pid = growableArray(Int32Array, INITIAL_CAPACITY);
  state = growableArray(Uint8Array, INITIAL_CAPACITY);
  /** Volume group of a pending request; -1 when in none. */
  group = growableArray(Int32Array, INITIAL_CAPACITY).fill(-1);
  /** Generation of the last full listing that saw the request file. */
  seenGen = growableArray(Uint32Array, INITIAL_CAPACITY);

  get size(): number {
    return this.ids.size;
  }

  /** Slots the columns have room for (a power of two). */
  get slotCapacity(): number {
    return this.capacity;
  }

  /** Number of slot numbers in use or free (iteration bound). */
  get extent(): number {
    return this.slotExtent;
  }

  slotOf(id: string): number | undefined {
    const slot = this.ids.find(id);
    return slot < 0 ? undefined : slot;
  }

  nameOf(slot: number): string {
    const name = this.ids.nameOf(slot);
    if (name === undefined) throw new Error(`slot ${slot} is free`);
    return name;
  }

  isUsed(slot: number): boolean {
    return this.ids.has(slot);
  }

  /** The slot of `id`, created (empty: no request, no hint) if needed. */
  ensure(id: string): number {
    const existing = this.ids.find(id);
    if (existing >= 0) return existing;
    const slot = this.takeSlot();
    this.ids.insert(slot, id);
    return slot;
  }

  /** ensure() of an id packed by packIdRecord at `keys[at]` with its `hash` (the hint reader: no string). */
  ensurePacked(keys: Uint8Array, at: number, hash: number): number {
    const existing = this.ids.findPacked(keys, at, hash);
    if (existing >= 0) return existing;
    const slot = this.takeSlot();
    this.ids.insertMissedPacked(slot);
    return slot;
  }

  /** See PackedIdTable.touchBuckets: before ensurePacked of a batch of ids. */
  touchIds(hashes: Uint32Array, count: number): number {
    return this.ids.touchBuckets(hashes, count);
  }

  /** A free slot, empty (no request, no hint), the columns grown to hold it. */
  private takeSlot(): number {
    const reused = this.freeSlots.pop();
    const slot = reused ?? this.slotExtent++;
    if (slot >= this.capacity) this.grow();
    // A slot never handed out is empty already: the columns grow filled as clear() leaves a slot (a million stores saved per hint file).
    if (reused !== undefined) this.clear(slot);
    return slot;
  }

  release(slot: number): void {
    if (!this.ids.has(slot)) return;
    this.ids.remove(slot);
    this.freeSlots.push(slot);
  }

  private clear(slot: number): void {
    this.mtimeMs[slot] = 0;
    this.sinceMs[slot] = 0;
    this.statSize[slot] = 0;
    this.fileSize[slot] = -1;
    this.pid[slot] = 0;
    this.state[slot] = ABSENT;
    this.group[slot] = -1;
    this.seenGen[slot] = 0;
  }

  /** Makes room for `slots` slots at once (columns and id table), where they would otherwise double their way up. */
  reserve(slots: number): void {
    this.ids.reserve(slots);
    let capacity = this.capacity;
    while (capacity < slots) capacity *= 2;
    if (capacity > this.capacity) this.grow(capacity);
  }

  private grow(capacity = this.capacity * 2): void {
    this.mtimeMs = grownArray(this.mtimeMs, capacity);
    this.sinceMs = grownArray(this.sinceMs, capacity);
    this.statSize = grownArray(this.statSize, capacity);
    this.fileSize = grownArray(this.fileSize, capacity, -1);
    this.pid = grownArray(this.pid, capacity);
    this.state = grownArray(this.state, capacity);
    this.group = grownArray(this.group, capacity, -1);
    this.seenGen = grownArray(this.seenGen, capacity);
    this.capacity = capacity;
  }
}
