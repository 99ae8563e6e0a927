import fs from 'node:fs';

/**
 * A JSON reader for a top-level object with very many members (the hint
 * file: a million ids is normal). It walks the bytes once and hands each
 * member to a callback, so the whole object never exists in memory at once:
 * JSON.parse of a 1,000,000-entry hint file needs about 230 MiB on top of
 * the text, this needs nothing but the file's bytes. Strings are copied out
 * of the buffer, so nothing kept (an id) pins the whole file in memory (as
 * V8's sliced strings of a big string would). Accepts exactly JSON (any
 * layout: one line or pretty-printed); throws JsonScanError otherwise.
 *
 * Bytes are read as Latin-1: keys must be hexadecimal anyway, and a
 * non-ASCII character in a value only ever meets the volume-name sanitizer,
 * which turns any run of such bytes into one `_`, as it would the character.
 */
export class JsonScanError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * Reads the member of the top-level object at `pos` (its key) in the bytes
 * at hand, if it can, and returns the position after its value; -1 when it
 * cannot (it has read nothing then: the member is read as usual). It must
 * accept only valid JSON, and only what it handles as the usual reading would.
 */
export type MemberFastPath = (bytes: Buffer, pos: number) => number;

/**
 * Hands out a file's bytes a chunk at a time; null at the end. A chunk may
 * be overwritten by the next call. A source may read the chunk into `room`
 * (where the scanner wants it: no copy) and return that part of it.
 */
export type ByteSource = (room?: Buffer) => Buffer | null;

/** Bytes kept ahead of the current position while scanning a stream: the largest member that can be read. */
const STREAM_AHEAD_BYTES = 4 * 1024 * 1024;

/** Members of the top-level object read per step of jsonObjectMemberSteps: well under a millisecond of work. */
const MEMBERS_PER_STEP = 64;

export class Scanner {
  pos = 0;
  /** Offset of `bytes[0]` in the whole input (for error positions). */
  private base = 0;
  private bytes: Buffer;
  private source: ByteSource | null;
  /** The buffer `bytes` lies in while streaming (see fill). */
  private window: Buffer | null = null;

  constructor(input: Buffer | ByteSource, private readonly aheadBytes = STREAM_AHEAD_BYTES) {
    if (typeof input === 'function') {
      this.bytes = Buffer.alloc(0);
      this.source = input;
    } else {
      this.bytes = input;
      this.source = null;
    }
  }

  fail(message: string): never {
    throw new JsonScanError(message, this.base + this.pos);
  }

  /**
   * With a streamed input: keeps at least `ahead` bytes (or the rest of the
   * input) after the position. The bytes go into one window reused for the
   * whole input: a new buffer per refill (a 4 MiB chunk and an 8 MiB concat)
   * was garbage that malloc kept as holes in the heap (retriever, 1M hints).
   */
  fill(ahead = this.aheadBytes): void {
    if (this.source === null || this.bytes.length - this.pos >= ahead) return;
    let window = this.window ?? Buffer.allocUnsafeSlow(2 * Math.max(ahead, this.aheadBytes));
    // The rest moves to the front (within the window too: Buffer#copy allows overlap).
    let have = this.bytes.copy(window, 0, this.pos);
    while (have < ahead) {
      const room = window.subarray(have);
      const chunk = this.source(room);
      if (chunk === null) {
        this.source = null;
        break;
      }
      if (chunk.buffer === room.buffer && chunk.byteOffset === room.byteOffset && chunk.length <= room.length) {
        // Read into the window already (fileByteSource): 92 MB less to copy for a 1M-entry hint file.
        have += chunk.length;
        continue;
      }
      if (have + chunk.length > window.length) window = Buffer.concat([window.subarray(0, have)], have + chunk.length);
      have += chunk.copy(window, have);
    }
    this.window = window;
    this.base += this.pos;
    this.bytes = window.subarray(0, have);
    this.pos = 0;
  }

  ws(): void {
    const { bytes } = this;
    let c = bytes[this.pos];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++this.pos];
  }

  expect(byte: number, what: string): void {
    if (this.bytes[this.pos] !== byte) this.fail(`expected '${what}'`);
    this.pos++;
  }

  atEnd(): boolean {
    this.fill(1);
    return this.pos >= this.bytes.length;
  }

  peek(): number | undefined {
    return this.bytes[this.pos];
  }

  string(): string {
    const { bytes } = this;
    if (bytes[this.pos] !== QUOTE) this.fail('expected a string');
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === QUOTE) {
        this.pos = i + 1;
        if (!escaped) return bytes.toString('latin1', start + 1, i);
        try {
          return JSON.parse(bytes.toString('latin1', start, i + 1)) as string;
        } catch {
          this.pos = start;
          return this.fail('invalid escape in string');
        }
      }
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c < 0x20) {
        this.pos = i;
        this.fail('control character in string');
      }
    }
    return this.fail('unterminated string');
  }

  private digits(): number {
    const start = this.pos;
    while (isDigit(this.bytes[this.pos] ?? -1)) this.pos++;
    return this.pos - start;
  }

  /** `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?` */
  number(): number {
    const { bytes } = this;
    const start = this.pos;
    if (bytes[this.pos] === MINUS) this.pos++;
    if (bytes[this.pos] === ZERO) this.pos++;
    else if (this.digits() === 0) this.fail('invalid value');
    const next = bytes[this.pos];
    if (next !== DOT && next !== LOWER_E && next !== UPPER_E && this.pos - start <= 15) {
      // A plain integer (the common case): no string needed.
      let value = 0;
      const negative = bytes[start] === MINUS;
      for (let i = negative ? start + 1 : start; i < this.pos; i++) value = value * 10 + ((bytes[i] as number) - ZERO);
      return negative ? -value : value;
    }
    if (bytes[this.pos] === DOT) {
      this.pos++;
      if (this.digits() === 0) this.fail('invalid number');
    }
    if (bytes[this.pos] === LOWER_E || bytes[this.pos] === UPPER_E) {
      this.pos++;
      if (bytes[this.pos] === PLUS || bytes[this.pos] === MINUS) this.pos++;
      if (this.digits() === 0) this.fail('invalid number');
    }
    return Number(bytes.toString('latin1', start, this.pos));
  }

  literal(word: string, value: boolean | null): boolean | null {
    if (this.bytes.toString('latin1', this.pos, this.pos + word.length) !== word) this.fail('invalid literal');
    this.pos += word.length;
    return value;
  }

  value(): unknown {
    switch (this.peek()) {
      case OPEN_BRACE:
        return this.object();
      case OPEN_BRACKET:
        return this.array();
      case QUOTE:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.sequence(OPEN_BRACKET, CLOSE_BRACKET, () => out.push(this.value()));
    return out;
  }

  /** Checks a value is valid JSON without building it. */
  skipValue(): void {
    switch (this.peek()) {
      case OPEN_BRACE:
        this.members(() => {}, () => this.skipValue());
        return;
      case OPEN_BRACKET:
        this.sequence(OPEN_BRACKET, CLOSE_BRACKET, () => this.skipValue());
        return;
      default:
        this.value();
    }
  }

  /**
   * At a string: if it is exactly one of `keys` (plain ASCII), steps over it
   * and returns its index, without making a string; otherwise reads the
   * string and returns -1.
   */
  keyIndex(keys: readonly Buffer[]): number {
    const { bytes } = this;
    if (bytes[this.pos] !== QUOTE) this.fail('expected a string');
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as Buffer;
      const end = this.pos + 1 + key.length;
      if (bytes[end] !== QUOTE) continue;
      let same = true;
      for (let i = 0; i < key.length && same; i++) same = bytes[this.pos + 1 + i] === key[i];
      if (same) {
        this.pos = end + 1;
        return k;
      }
    }
    this.string();
    return -1;
  }

  /**
   * An object whose keys are looked up in `keys` without making strings:
   * `onMember(index or -1)` must read the value (value() or skipValue()).
   */
  keyedMembers(keys: readonly Buffer[], onMember: (keyIndex: number) => void): void {
    this.sequence(OPEN_BRACE, CLOSE_BRACE, () => {
      const keyIndex = this.keyIndex(keys);
      this.colon();
      onMember(keyIndex);
    });
  }

  object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.members((key, value) => {
      out[key] = value;
    });
    return out;
  }

  /**
   * `{ "k": v, ... }`, calling `onMember` for each member in order. With
   * `readValue`, that reads each value (positioned at it) instead of value().
   */
  members<T = unknown>(onMember: (key: string, value: T) => void, readValue: (key: string) => T = () => this.value() as T): void {
    this.sequence(OPEN_BRACE, CLOSE_BRACE, () => {
      const key = this.string();
      this.colon();
      onMember(key, readValue(key));
    });
  }

  /**
   * members() of the top-level object, a step at a time: yields after every
   * MEMBERS_PER_STEP members, so that a caller can give the event loop its
   * turn between steps. `streamed` refills the buffer before each member.
   * `readFast` may read a member first (see MemberFastPath).
   */
  *memberSteps<T>(
    onMember: (key: string, value: T) => void,
    readValue: (key: string) => T,
    streamed: boolean,
    readFast?: MemberFastPath,
  ): Generator<void, void, void> {
    this.expect(OPEN_BRACE, '{');
    this.ws();
    if (this.peek() === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    for (let count = 1; ; count++) {
      if (streamed) this.fill();
      this.ws();
      const fastEnd = readFast === undefined ? -1 : readFast(this.bytes, this.pos);
      if (fastEnd >= 0) {
        this.pos = fastEnd;
      } else {
        const key = this.string();
        this.colon();
        onMember(key, readValue(key));
      }
      this.ws();
      if (this.peek() === CLOSE_BRACE) {
        this.pos++;
        return;
      }
      this.expect(COMMA, ',');
      if (count % MEMBERS_PER_STEP === 0) yield;
    }
  }

  /** The `:` between a key and its value, with the white space around it. */
  private colon(): void {
    this.ws();
    this.expect(COLON, ':');
    this.ws();
  }

  /**
   * `open item, item, ... close` (arrays and objects alike; possibly empty):
   * `readItem` reads one item, positioned at it.
   */
  private sequence(open: number, close: number, readItem: () => void): void {
    this.expect(open, String.fromCharCode(open));
    this.ws();
    if (this.peek() === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      readItem();
      this.ws();
      if (this.peek() === close) {
        this.pos++;
        return;
      }
      this.expect(COMMA, ',');
    }
  }
}

/**
 * Calls `onMember(key, value)` for each member of the top-level JSON object
 * in `bytes` (or text), a step (MEMBERS_PER_STEP members) per `next()`.
 * Throws JsonScanError if it is not one JSON object (members before the
 * error have been handed out already).
 */
export function* jsonObjectMemberSteps<T = unknown>(
  input: Buffer | string | ByteSource,
  onMember: (key: string, value: T) => void,
  readValue?: (scanner: Scanner, key: string) => T,
  aheadBytes = STREAM_AHEAD_BYTES,
  readFast?: MemberFastPath,
): Generator<void, void, void> {
  const scanner = new Scanner(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, aheadBytes);
  scanner.fill();
  scanner.ws();
  if (scanner.peek() !== OPEN_BRACE) scanner.fail(scanner.atEnd() ? 'empty document' : 'expected a JSON object');
  const read = readValue === undefined ? () => scanner.value() as T : (key: string) => readValue(scanner, key);
  yield* scanner.memberSteps<T>(onMember, read, typeof input === 'function', readFast);
  scanner.ws();
  if (!scanner.atEnd()) scanner.fail('unexpected text after the object');
}

/** Runs steps (a generator such as jsonObjectMemberSteps) to the end at once; returns what the last step returns. */
export function runSteps<R>(steps: Generator<void, R, void>): R {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** jsonObjectMemberSteps all at once. */
export function scanJsonObjectMembers<T = unknown>(
  input: Buffer | string | ByteSource,
  onMember: (key: string, value: T) => void,
  readValue?: (scanner: Scanner, key: string) => T,
  aheadBytes = STREAM_AHEAD_BYTES,
): void {
  runSteps(jsonObjectMemberSteps(input, onMember, readValue, aheadBytes));
}

/** A buffer handed out in chunks of `chunkBytes` (tests of streamed scanning). */
export function bufferByteSource(bytes: Buffer, chunkBytes: number): ByteSource {
  let offset = 0;
  return () => {
    if (offset >= bytes.length) return null;
    const chunk = bytes.subarray(offset, offset + chunkBytes);
    offset += chunk.length;
    return chunk;
  };
}

/**
 * Reads a file in chunks, for scanJsonObjectMembers: a large file never sits
 * in memory whole. Every chunk is read into the room the scanner offers, or
 * else into the same buffer.
 */
export function fileByteSource(fd: number, chunkBytes = STREAM_AHEAD_BYTES): ByteSource {
  let buffer: Buffer | undefined;
  return (room) => {
    const target = room !== undefined && room.length > 0 ? room : (buffer ??= Buffer.allocUnsafeSlow(chunkBytes));
    const read = fs.readSync(fd, target, 0, Math.min(chunkBytes, target.length), null);
    return read === 0 ? null : target.subarray(0, read);
  };
}

export const isObjectStart = (scanner: Scanner): boolean => scanner.peek() === OPEN_BRACE;
