/**
 * Where a file sits on its tape, as four unsigned 32-bit words compared in
 * order. dsmc's restore order `XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX` maps
 * group by group (so the groups compare as fixed-width hex, whatever their
 * padding); an integer position n maps to [0, 0, high 32 bits, low 32 bits].
 */
export type OrderKey = readonly [number, number, number, number];

const HEX_ORDER = /^([0-9A-Fa-f]{1,8})-([0-9A-Fa-f]{1,8})-([0-9A-Fa-f]{1,8})-([0-9A-Fa-f]{1,8})$/;
const TWO_32 = 2 ** 32;

function integerKey(n: number): OrderKey | null {
  if (!Number.isSafeInteger(n) || n < 0) return null;
  return [0, 0, Math.floor(n / TWO_32), n % TWO_32];
}

function hexWord(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** The common, fully padded form `XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX`, without a regular expression (a million per hint file). */
function parsePaddedHexOrder(text: string): OrderKey | null {
  if (text.length !== 35 || text[8] !== '-' || text[17] !== '-' || text[26] !== '-') return null;
  const a = hexWord(text, 0);
  const b = hexWord(text, 9);
  const c = hexWord(text, 18);
  const d = hexWord(text, 27);
  return a < 0 || b < 0 || c < 0 || d < 0 ? null : [a, b, c, d];
}

/** Up to 16 decimal digits as a number, without a regular expression (the bench's and Perl's positions); null otherwise. */
function parseDecimal(text: string): number | null {
  if (text.length === 0 || text.length > 16) return null;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    value = value * 10 + (c - 48);
  }
  return value;
}

function hexWordOfBytes(bytes: Uint8Array, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = bytes[i] as number;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * parseOrderKey of the text in ASCII bytes `bytes[start, end)` (no white
 * space around it), written to `out[at..at+3]`; returns whether there is a
 * key. The two common forms are read from the bytes; any other text as a
 * string, by parseOrderKey itself.
 */
export function writeOrderKeyOfBytes(bytes: Buffer, start: number, end: number, out: Uint32Array, at: number): boolean {
  const length = end - start;
  if (length === 35 && bytes[start + 8] === 0x2d && bytes[start + 17] === 0x2d && bytes[start + 26] === 0x2d) {
    const a = hexWordOfBytes(bytes, start);
    const b = hexWordOfBytes(bytes, start + 9);
    const c = hexWordOfBytes(bytes, start + 18);
    const d = hexWordOfBytes(bytes, start + 27);
    if (a >= 0 && b >= 0 && c >= 0 && d >= 0) return writeKey(out, at, a, b, c, d);
  }
  let value = 0;
  let i = start;
  // Up to 15 digits: a safe integer, as parseDecimal and integerKey make it.
  for (; i < end && length <= 15; i++) {
    const c = bytes[i] as number;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  if (i === end && length > 0 && length <= 15) return writeKey(out, at, 0, 0, Math.floor(value / TWO_32), value % TWO_32);
  const key = parseOrderKey(bytes.toString('latin1', start, end));
  return key !== null && writeKey(out, at, key[0], key[1], key[2], key[3]);
}

/** An order key's four words into `out[at..at+3]` (four stores: TypedArray#set from an array is a slow generic path). */
export function writeKey(out: Uint32Array, at: number, a: number, b: number, c: number, d: number): true {
  out[at] = a;
  out[at + 1] = b;
  out[at + 2] = c;
  out[at + 3] = d;
  return true;
}

/** The order key of a hint's `order` value (string or number); null when absent or not understood. */
export function parseOrderKey(raw: unknown): OrderKey | null {
  if (typeof raw === 'number') return integerKey(raw);
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  const fast = parsePaddedHexOrder(text);
  if (fast !== null) return fast;
  const position = parseDecimal(text);
  if (position !== null) return integerKey(position);
  const hex = HEX_ORDER.exec(text);
  if (hex !== null) {
    return [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16), parseInt(hex[3] as string, 16), parseInt(hex[4] as string, 16)];
  }
  return null;
}

export function compareOrderKeys(a: OrderKey, b: OrderKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

export interface TapeOrdered {
  readonly id: string;
  readonly order: OrderKey | null;
}

/** Known positions first in tape order, then files without one; the id breaks ties. */
export function compareTapeOrder(a: TapeOrdered, b: TapeOrdered): number {
  if (a.order !== null && b.order !== null) {
    const byOrder = compareOrderKeys(a.order, b.order);
    if (byOrder !== 0) return byOrder;
  } else if (a.order !== null) {
    return -1;
  } else if (b.order !== null) {
    return 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A new array in tape order. */
export function sortTapeOrder<T extends TapeOrdered>(items: readonly T[]): T[] {
  return [...items].sort(compareTapeOrder);
}
