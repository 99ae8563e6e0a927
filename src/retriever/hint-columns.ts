import { growableArray, grownArray } from '../core/growable-array.js';
import type { HintEntry } from './hint-parse.js';
import { writeKey, type OrderKey } from './tape-order.js';

const INITIAL_CAPACITY = 1024;

/**
 * One hint file's entries as typed-array columns indexed by the slot of the
 * id in the SlotStore (an id known from both a request and the hint file
 * costs one name and one table entry): 29 bytes per slot. A new hint file is
 * built into a fresh HintColumns beside the one in force and swapped in when
 * complete, so that nothing sees a hint file half loaded. The columns grow
 * in place (growable-array.ts).
 */
export class HintColumns {
  private capacity: number;
  private entryCount = 0;
  /** Volume group of the hint; -1 when the slot has no hint. */
  volume: Int32Array;
  /** -1 when the hint gives no size. */
  sizeBytes: Float64Array;
  /** Four words per slot (see tape-order.ts). */
  order: Uint32Array;
  orderKnown: Uint8Array;

  /**
   * `capacity`: the slots the store has room for (a power of two). Made that
   * large at once, the columns do not grow (a copy held beside its
   * successor) while most hinted ids are requests known already.
   */
  constructor(capacity = INITIAL_CAPACITY) {
    this.capacity = capacity;
    this.volume = growableArray(Int32Array, capacity).fill(-1);
    this.sizeBytes = growableArray(Float64Array, capacity);
    this.order = growableArray(Uint32Array, capacity * 4);
    this.orderKnown = growableArray(Uint8Array, capacity);
  }

  /** Distinct ids with a hint. */
  get entries(): number {
    return this.entryCount;
  }

  has(slot: number): boolean {
    return slot < this.capacity && (this.volume[slot] as number) >= 0;
  }

  /** Sets the hint of `slot` (a later entry for the same id replaces an earlier one). */
  set(slot: number, volumeGroup: number, entry: HintEntry): void {
    this.setVolumeAndSize(slot, volumeGroup, entry.sizeBytes ?? -1);
    const { order } = entry;
    this.orderKnown[slot] = order === null ? 0 : 1;
    if (order !== null) writeKey(this.order, slot * 4, order[0], order[1], order[2], order[3]);
  }

  /** set() from a HintBatch: `knownOrder` 1 when `orders[at..at+3]` holds the order key, else 0. */
  setFrom(slot: number, volumeGroup: number, sizeBytes: number, knownOrder: number, orders: Uint32Array, at: number): void {
    this.setVolumeAndSize(slot, volumeGroup, sizeBytes);
    this.orderKnown[slot] = knownOrder;
    if (knownOrder === 1) writeKey(this.order, slot * 4, orders[at] as number, orders[at + 1] as number, orders[at + 2] as number, orders[at + 3] as number);
  }

  /** The volume and size (-1: unknown) of `slot`; the first hint of a slot counts an entry. */
  private setVolumeAndSize(slot: number, volumeGroup: number, sizeBytes: number): void {
    if (slot >= this.capacity) this.grow(slot);
    if ((this.volume[slot] as number) < 0) this.entryCount++;
    this.volume[slot] = volumeGroup;
    this.sizeBytes[slot] = sizeBytes;
  }

  orderOf(slot: number): OrderKey | null {
    if (!this.has(slot) || this.orderKnown[slot] !== 1) return null;
    const o = this.order;
    const i = slot * 4;
    return [o[i] as number, o[i + 1] as number, o[i + 2] as number, o[i + 3] as number];
  }

  private grow(slot: number): void {
    let capacity = this.capacity;
    while (capacity <= slot) capacity *= 2;
    this.volume = grownArray(this.volume, capacity, -1);
    this.sizeBytes = grownArray(this.sizeBytes, capacity);
    this.order = grownArray(this.order, capacity * 4);
    this.orderKnown = grownArray(this.orderKnown, capacity);
    this.capacity = capacity;
  }
}
