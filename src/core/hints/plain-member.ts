/**
 * The fast path of the hint reader: a member of the hint object in its
 * plain shape, `"<hex id>":{"volid":"…","order":"…","size":N}` (keys in any
 * order, order and size optional, white space anywhere JSON allows it), as
 * tsmtapehints, the Perl tools and the bench write every member, read
 * straight from the bytes without making a string. Anything else in a
 * member (an escape, another key, a key twice, a nested value, a number
 * with a sign, fraction or exponent, a character outside the sets below,
 * the member running past the bytes at hand) makes it no plain member, and
 * the general reader reads it as if the fast path did not exist: every
 * plain member means exactly what the general reader makes of it (test:
 * test/retriever/hint-fast-path.test.ts compares the two on generated input).
 */

/** Where a plain member's parts lie in the bytes, and its size. Reused for every member. */
export interface PlainHintMember {
  /** The id: 1 to PLAIN_ID_DIGITS hex digits, letters all upper or all lower case (a pnfsid PackedIdTable packs). */
  idStart: number;
  idEnd: number;
  /** The volume: 1 to PLAIN_VOLID_CHARACTERS of `A-Za-z0-9.-` (sanitizeVolumeName keeps it as it is). */
  volidStart: number;
  volidEnd: number;
  /** The order as text (the general reader's text of it): hex digits and `-` from a string, or a plain integer's digits; orderStart -1 when absent. */
  orderStart: number;
  orderEnd: number;
  /** -1 when absent. */
  sizeBytes: number;
}

export function newPlainHintMember(): PlainHintMember {
  return { idStart: 0, idEnd: 0, volidStart: 0, volidEnd: 0, orderStart: -1, orderEnd: -1, sizeBytes: -1 };
}

const PLAIN_ID_DIGITS = 36;
const PLAIN_VOLID_CHARACTERS = 64;
/** dsmc's restore order `XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX`. */
const PLAIN_ORDER_CHARACTERS = 35;
/** Digits of an integer read here: always a safe integer, and its text as String() writes it. */
const PLAIN_INTEGER_DIGITS = 15;

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;

/** Character classes, a bit each. */
const DIGIT = 1;
const UPPER_HEX = 2;
const LOWER_HEX = 4;
const VOLID = 8;
const ORDER = 16;
const SPACE = 32;

const CLASS = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT | VOLID | ORDER;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = VOLID | (c <= 0x46 ? UPPER_HEX | ORDER : 0);
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = VOLID | (c <= 0x66 ? LOWER_HEX | ORDER : 0);
CLASS[0x2e] = VOLID; // .
CLASS[0x2d] = VOLID | ORDER; // -
for (const c of [0x20, 0x09, 0x0a, 0x0d]) CLASS[c] = SPACE;

/** The class bits of the byte at `i`; 0 past the end. */
function classAt(bytes: Uint8Array, i: number): number {
  return i < bytes.length ? (CLASS[bytes[i] as number] as number) : 0;
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (classAt(bytes, i) === SPACE) i++;
  return i;
}

/** The end of a run of bytes of `kind` from `i`. */
function skipClass(bytes: Uint8Array, i: number, kind: number): number {
  while ((classAt(bytes, i) & kind) !== 0) i++;
  return i;
}

/** The end of the id string at `i` (after its closing quote), or -1. */
function readId(bytes: Uint8Array, i: number, member: PlainHintMember): number {
  if (bytes[i] !== QUOTE) return -1;
  const start = i + 1;
  let seen = 0;
  let end = start;
  for (let kind = classAt(bytes, end); (kind & (UPPER_HEX | LOWER_HEX | DIGIT)) !== 0; kind = classAt(bytes, ++end)) seen |= kind;
  const length = end - start;
  if (bytes[end] !== QUOTE || length === 0 || length > PLAIN_ID_DIGITS || (seen & (UPPER_HEX | LOWER_HEX)) === (UPPER_HEX | LOWER_HEX)) return -1;
  member.idStart = start;
  member.idEnd = end;
  return end + 1;
}

const KEY_VOLID = 1;
const KEY_ORDER = 2;
const KEY_SIZE = 4;

/** Which of the three keys the string at `i` is (0: none of them); its length is the key's plus the two quotes. */
function keyAt(bytes: Uint8Array, i: number): number {
  if (bytes[i] !== QUOTE) return 0;
  const a = bytes[i + 1];
  if (a === 0x76 && bytes[i + 2] === 0x6f && bytes[i + 3] === 0x6c && bytes[i + 4] === 0x69 && bytes[i + 5] === 0x64 && bytes[i + 6] === QUOTE) return KEY_VOLID; // volid
  if (a === 0x6f && bytes[i + 2] === 0x72 && bytes[i + 3] === 0x64 && bytes[i + 4] === 0x65 && bytes[i + 5] === 0x72 && bytes[i + 6] === QUOTE) return KEY_ORDER; // order
  if (a === 0x73 && bytes[i + 2] === 0x69 && bytes[i + 3] === 0x7a && bytes[i + 4] === 0x65 && bytes[i + 5] === QUOTE) return KEY_SIZE; // size
  return 0;
}

/** The end of a JSON integer `0|[1-9]\d*` of at most PLAIN_INTEGER_DIGITS digits at `i`, or -1. */
function integerEnd(bytes: Uint8Array, i: number): number {
  const end = skipClass(bytes, i, DIGIT);
  const length = end - i;
  if (length === 0 || length > PLAIN_INTEGER_DIGITS || (bytes[i] === ZERO && length > 1)) return -1;
  return end;
}

function integerValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + ((bytes[i] as number) - ZERO);
  return value;
}

/** The end of a string at `i` of 1 to `most` bytes of class `kind`, or -1. */
function stringEnd(bytes: Uint8Array, i: number, kind: number, most: number): number {
  if (bytes[i] !== QUOTE) return -1;
  const end = skipClass(bytes, i + 1, kind);
  const length = end - i - 1;
  return bytes[end] === QUOTE && length > 0 && length <= most ? end + 1 : -1;
}

/** Reads the value of `key` at `i` into `member`; returns its end, or -1. */
function readValue(bytes: Uint8Array, i: number, key: number, member: PlainHintMember): number {
  const quoted = bytes[i] === QUOTE;
  if (key === KEY_VOLID) {
    const end = stringEnd(bytes, i, VOLID, PLAIN_VOLID_CHARACTERS);
    member.volidStart = i + 1;
    member.volidEnd = end - 1;
    return end;
  }
  if (key === KEY_ORDER) {
    const end = quoted ? stringEnd(bytes, i, ORDER, PLAIN_ORDER_CHARACTERS) : integerEnd(bytes, i);
    member.orderStart = quoted ? i + 1 : i;
    member.orderEnd = quoted ? end - 1 : end;
    return end;
  }
  // size: a number, or a string of digits (the Perl tools wrote strings), as parseByteCount reads them.
  const end = quoted ? stringEnd(bytes, i, DIGIT, PLAIN_INTEGER_DIGITS) : integerEnd(bytes, i);
  if (end >= 0) member.sizeBytes = quoted ? integerValue(bytes, i + 1, end - 1) : integerValue(bytes, i, end);
  return end;
}

/**
 * Reads the member of the hint object at `pos` (its key's opening quote)
 * into `member` if it has the plain shape; returns the position after its
 * value, or -1 when it has not (`member` then holds nothing of use). Pure.
 */
export function readPlainHintMember(bytes: Uint8Array, pos: number, member: PlainHintMember): number {
  let i = readId(bytes, pos, member);
  if (i < 0) return -1;
  i = skipSpace(bytes, i);
  if (bytes[i] !== COLON) return -1;
  i = skipSpace(bytes, i + 1);
  if (bytes[i] !== OPEN_BRACE) return -1;
  member.orderStart = -1;
  member.sizeBytes = -1;
  let keys = 0;
  for (;;) {
    i = skipSpace(bytes, i + 1);
    const key = keyAt(bytes, i);
    if (key === 0 || (keys & key) !== 0) return -1;
    keys |= key;
    i = skipSpace(bytes, i + (key === KEY_SIZE ? 6 : 7));
    if (bytes[i] !== COLON) return -1;
    i = readValue(bytes, skipSpace(bytes, i + 1), key, member);
    if (i < 0) return -1;
    i = skipSpace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) return (keys & KEY_VOLID) !== 0 ? i + 1 : -1;
    if (bytes[i] !== COMMA) return -1;
  }
}
