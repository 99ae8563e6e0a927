import { growableArray, grownArray } from '../growable-array.js';
import { hashName } from './name-index.js';

/**
 * Ids by slot number, and slot numbers by id, for a million pnfsids without
 * a string each. A pnfsid of up to 36 hex digits in one letter case is kept
 * as 19 bytes: a header (its length, and whether its letters are lower case)
 * and its digits as nibbles. Any other id (mixed case, longer, not hex) is
 * kept as a string beside. The index is an open-addressing table (linear
 * probing, at most half full, backward-shift deletion) of slot numbers with
 * the hash of each id beside, that compares the bytes, so a lookup makes no
 * string either. Measured on the retriever with 1M requests: the ids'
 * strings and the array holding them were about 63 bytes a request on the
 * JS heap; here 19 + 16 outside it. The hashes (8 of the 16) made a 1M
 * hint load 4.2 -> 2.4 s: a probe no longer reads the record of every id in
 * its run, and growing the table no longer rehashes the records.
 */

const RECORD_BYTES = 19;
const MAX_PACKED_DIGITS = 36;
/** Header of a free slot. */
const FREE = 0;
/** Header flag: the id's letters are lower case. */
const LOWER = 0x40;
/** Header of an id kept as a string (in `strings`). */
const AS_STRING = 0x80;
const MIN_TABLE = 1024;
/** packIdRecord(): the id cannot be packed. */
export const NOT_PACKABLE = -2;
const HEX_DIGITS = '0123456789ABCDEF0123456789abcdef';

/** In HEX_CODE: the digit is an upper-case letter, a lower-case one. */
const UPPER_LETTER = 16;
const LOWER_LETTER = 32;

/**
 * Per ASCII code: the value of a hex digit, with UPPER_LETTER or
 * LOWER_LETTER for a letter; -1 for any other character. A table, not
 * comparisons: the branches of digits and letters mixed at random were most
 * of packId's time.
 */
const HEX_CODE = new Int8Array(128).fill(-1);
for (let c = 48; c <= 57; c++) HEX_CODE[c] = c - 48;
for (let c = 65; c <= 70; c++) HEX_CODE[c] = (c - 55) | UPPER_LETTER;
for (let c = 97; c <= 102; c++) HEX_CODE[c] = (c - 87) | LOWER_LETTER;

function hexCodeOf(code: number): number {
  return code < 128 ? (HEX_CODE[code] as number) : -1;
}

/** Packs `id` into `out` (bytes 1..18; byte 0 untouched); returns its header, or AS_STRING when it cannot be packed. Pure. */
export function packId(id: string, out: Uint8Array): number {
  const length = id.length;
  if (length === 0 || length > MAX_PACKED_DIGITS) return AS_STRING;
  let seen = 0; // the HEX_CODE of every digit, ORed
  for (let i = 0; i < length; i += 2) {
    const high = hexCodeOf(id.charCodeAt(i));
    const low = i + 1 < length ? hexCodeOf(id.charCodeAt(i + 1)) : 0;
    if ((high | low) < 0) return AS_STRING;
    seen |= high | low;
    out[1 + (i >> 1)] = ((high & 15) << 4) | (low & 15);
  }
  if ((seen & (UPPER_LETTER | LOWER_LETTER)) === (UPPER_LETTER | LOWER_LETTER)) return AS_STRING;
  return length | ((seen & LOWER_LETTER) !== 0 ? LOWER : 0);
}

/** Bytes of a packed id: its header, then its digits as nibbles. */
export const PACKED_ID_BYTES = RECORD_BYTES;

/**
 * Packs the id in ASCII bytes `bytes[start, end)` (the hint reader's plain
 * members) into `out[at, at + PACKED_ID_BYTES)`, its header first, as
 * packId would; returns its hash, or NOT_PACKABLE. Pure.
 */
export function packIdRecord(bytes: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  const length = end - start;
  if (length <= 0 || length > MAX_PACKED_DIGITS) return NOT_PACKABLE;
  let seen = 0;
  for (let i = 0; i < length; i += 2) {
    const high = hexCodeOf(bytes[start + i] as number);
    const low = i + 1 < length ? hexCodeOf(bytes[start + i + 1] as number) : 0;
    if ((high | low) < 0) return NOT_PACKABLE;
    seen |= high | low;
    out[at + 1 + (i >> 1)] = ((high & 15) << 4) | (low & 15);
  }
  if ((seen & (UPPER_LETTER | LOWER_LETTER)) === (UPPER_LETTER | LOWER_LETTER)) return NOT_PACKABLE;
  const header = length | ((seen & LOWER_LETTER) !== 0 ? LOWER : 0);
  out[at] = header;
  return hashPacked(out, at, header);
}

/** FNV-1a over a header and its packed digits, then a final mix. */
function hashPacked(bytes: Uint8Array, offset: number, header: number): number {
  let h = Math.imul(0x811c9dc5 ^ header, 0x01000193);
  const end = offset + 1 + (((header & 0x3f) + 1) >> 1);
  for (let i = offset + 1; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class PackedIdTable {
  private records = growableArray(Uint8Array, 1024 * RECORD_BYTES);
  private readonly strings = new Map<number, string>();
  /** slot + 1 per bucket; 0 = empty. */
  /**
   * Two words per bucket: slot + 1 (0 = empty) and the hash of its id, side
   * by side so that a probe touches one cache line, and reads the record of
   * an id (another) only when the hashes match.
   */
  private buckets = growableArray(Uint32Array, 2 * MIN_TABLE);
  private mask = MIN_TABLE - 1;
  private count = 0;
  /** The id looked up, packed (byte 0 unused). */
  private readonly key = new Uint8Array(RECORD_BYTES);
  private readonly text = Buffer.alloc(MAX_PACKED_DIGITS);
  /** The id of the last find() that missed, its header, its hash and the empty bucket where its probe ended (see insert). */
  private missedId: string | null = null;
  private missedHeader = 0;
  private missedHash = 0;
  private missedBucket = 0;
  /** The last findPacked() missed: `key` holds its id. */
  private missedBytes = false;

  /** Ids in the table. */
  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    const at = slot * RECORD_BYTES;
    return at < this.records.length && this.records[at] !== FREE;
  }

  /** The id of `slot`; undefined when the slot is free. */
  nameOf(slot: number): string | undefined {
    const { records } = this;
    const at = slot * RECORD_BYTES;
    const header = at < records.length ? (records[at] as number) : FREE;
    if (header === FREE) return undefined;
    if (header === AS_STRING) return this.strings.get(slot);
    const length = header & 0x3f;
    const letters = header & LOWER ? 16 : 0;
    for (let i = 0; i < length; i++) {
      const byte = records[at + 1 + (i >> 1)] as number;
      const nibble = (i & 1) === 0 ? byte >> 4 : byte & 15;
      this.text[i] = HEX_DIGITS.charCodeAt(nibble < 10 ? nibble : nibble + letters);
    }
    return this.text.toString('latin1', 0, length);
  }

  /** The slot of `id`, or -1. A miss is remembered for an insert of the same id that follows (SlotStore.ensure). */
  find(id: string): number {
    // Packing overwrites `key`: a miss remembered before would no longer be in it.
    this.missedId = null;
    this.missedBytes = false;
    const header = packId(id, this.key);
    return this.lookup(id, header, this.hashKey(id, header));
  }

  /**
   * find() of an id packed by packIdRecord at `keys[at]` with its `hash`:
   * the slot, or -1 (remembered for insertMissedPacked).
   */
  findPacked(keys: Uint8Array, at: number, hash: number): number {
    this.missedId = null;
    const { key } = this;
    const header = keys[at] as number;
    const bytes = ((header & 0x3f) + 1) >> 1;
    for (let i = 1; i <= bytes; i++) key[i] = keys[at + i] as number;
    const found = this.lookup(null, header, hash);
    this.missedBytes = found < 0;
    return found;
  }

  /**
   * Reads the first bucket of each of `count` hashes, one after the other:
   * their cache misses overlap (random reads in a table of 16 MB at 1M ids
   * cost some 200 ns each here, one at a time), and the probes that follow
   * find the buckets in cache. Returns a value only so that the reads stay.
   */
  touchBuckets(hashes: Uint32Array, count: number): number {
    const { buckets, mask } = this;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += buckets[2 * ((hashes[i] as number) & mask)] as number;
    return sum;
  }

  /** Probes for the id packed in `key` (`id`: its string, needed only AS_STRING); remembers a miss. */
  private lookup(id: string | null, header: number, hash: number): number {
    const { buckets, mask } = this;
    for (let bucket = hash & mask; ; bucket = (bucket + 1) & mask) {
      const entry = buckets[2 * bucket] as number;
      if (entry === 0) {
        this.missedId = id;
        this.missedHeader = header;
        this.missedHash = hash;
        this.missedBucket = bucket;
        return -1;
      }
      if (buckets[2 * bucket + 1] === hash && this.holds(entry - 1, id, header)) return entry - 1;
    }
  }

  /** Puts the id of the findPacked() that just missed in the free `slot`. */
  insertMissedPacked(slot: number): void {
    if (!this.missedBytes) throw new Error('insertMissedPacked without a findPacked miss before it');
    this.missedBytes = false;
    this.writeRecord(slot, '', this.missedHeader);
    this.placeNew(slot, this.missedHash, this.missedBucket);
  }

  /** Puts `id`, not in the table yet (the caller checks), in the free `slot`. */
  insert(slot: number, id: string): void {
    // Right after find(id) missed, `key` still holds it packed and the empty bucket is known.
    const remembered = this.missedId === id;
    this.missedId = null;
    this.missedBytes = false;
    const header = remembered ? this.missedHeader : packId(id, this.key);
    const hash = remembered ? this.missedHash : this.hashKey(id, header);
    this.writeRecord(slot, id, header);
    this.placeNew(slot, hash, remembered ? this.missedBucket : -1);
  }

  /** Indexes the id just written to `slot` (`bucket`: its empty bucket if known, else -1), growing the index first if it is half full. */
  private placeNew(slot: number, hash: number, bucket: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.resize(2 * (this.mask + 1));
      bucket = -1;
    }
    this.place(slot + 1, hash, bucket);
    this.count++;
  }

  /**
   * Makes room for ids in slots below `slots` without growing again (the
   * retriever, about to load a hint file of about that many entries): the
   * index doubling its way up to a million ids rehashed two million entries.
   */
  reserve(slots: number): void {
    const bytes = capacityFor(slots) * RECORD_BYTES;
    if (bytes > this.records.length) this.records = grownArray(this.records, bytes);
    let capacity = this.mask + 1;
    while (slots * 2 > capacity) capacity *= 2;
    if (capacity > this.mask + 1) this.resize(capacity);
  }

  /** Takes the id of `slot` out of the table; the slot is free afterwards. No-op on a free slot. */
  remove(slot: number): void {
    if (!this.has(slot)) return;
    this.missedId = null;
    this.missedBytes = false;
    const { buckets, mask } = this;
    let hole = this.hashSlot(slot) & mask;
    while (buckets[2 * hole] !== slot + 1) hole = (hole + 1) & mask;
    // Backward shift: later entries of the probe run move into the hole unless their home lies cyclically in (hole, next].
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const entry = buckets[2 * next] as number;
      if (entry === 0) break;
      const home = (buckets[2 * next + 1] as number) & mask;
      const homeBetween = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!homeBetween) {
        buckets[2 * hole] = entry;
        buckets[2 * hole + 1] = buckets[2 * next + 1] as number;
        hole = next;
      }
    }
    buckets[2 * hole] = 0;
    this.records[slot * RECORD_BYTES] = FREE;
    this.strings.delete(slot);
    this.count--;
    if (this.mask + 1 > MIN_TABLE && this.count * 8 < this.mask + 1) this.resize((this.mask + 1) / 2);
  }

  /** The record of `slot`: its header, then the packed digits (in `key`) or, for AS_STRING, the string beside. */
  private writeRecord(slot: number, id: string, header: number): void {
    const at = slot * RECORD_BYTES;
    if (at >= this.records.length) this.records = grownArray(this.records, capacityFor(slot + 1) * RECORD_BYTES);
    const { records, key } = this;
    records[at] = header;
    if (header === AS_STRING) {
      this.strings.set(slot, id);
      return;
    }
    const bytes = ((header & 0x3f) + 1) >> 1;
    for (let i = 1; i <= bytes; i++) records[at + i] = key[i] as number;
  }

  private hashKey(id: string, header: number): number {
    return header === AS_STRING ? hashName(id) : hashPacked(this.key, 0, header);
  }

  private hashSlot(slot: number): number {
    const at = slot * RECORD_BYTES;
    const header = this.records[at] as number;
    return header === AS_STRING ? hashName(this.strings.get(slot) as string) : hashPacked(this.records, at, header);
  }

  /** Whether `slot` holds the id looked up (`header` and `key` from packId). */
  private holds(slot: number, id: string | null, header: number): boolean {
    const { records, key } = this;
    const at = slot * RECORD_BYTES;
    if (records[at] !== header) return false;
    if (header === AS_STRING) return this.strings.get(slot) === id;
    const bytes = ((header & 0x3f) + 1) >> 1;
    for (let i = 1; i <= bytes; i++) if (records[at + i] !== key[i]) return false;
    return true;
  }

  /** Puts `entry` (slot + 1) of hash `hash` in `bucket`, or in the first empty bucket of its run when -1. */
  private place(entry: number, hash: number, bucket = -1): void {
    const { buckets, mask } = this;
    if (bucket < 0) for (bucket = hash & mask; buckets[2 * bucket] !== 0; bucket = (bucket + 1) & mask);
    buckets[2 * bucket] = entry;
    buckets[2 * bucket + 1] = hash;
  }

  /** A new table of `capacity` buckets (its pages from the OS, see growable-array.ts), every entry placed again by its stored hash. */
  private resize(capacity: number): void {
    const old = this.buckets;
    this.buckets = growableArray(Uint32Array, 2 * capacity);
    this.mask = capacity - 1;
    this.missedId = null;
    this.missedBytes = false;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i] as number;
      if (entry !== 0) this.place(entry, old[i + 1] as number);
    }
  }
}

/** Slots to make room for: the next power of two, at least 1024. */
function capacityFor(slots: number): number {
  let capacity = 1024;
  while (capacity < slots) capacity *= 2;
  return capacity;
}
