// Reading the catalog (catalog.ts) as a stream of byte chunks, never as one string:
// at ten million objects it is 2.4 GB, past V8's longest string. A session that
// names its files keeps only their objects, and tells a line it does not want
// from the raw bytes, without JSON.parse. Pure but for the `read` it is given.
import type { AddRecord, CatalogRecord, StoredObject } from './catalog.js';
import { toStoredObject } from './catalog.js';

/** The objects a reader keeps: those whose path, or whose volume, is in the set. */
export type CatalogFilter = { readonly paths: ReadonlySet<string> } | { readonly volumes: ReadonlySet<string> };

/** Reads up to `length` bytes into `buffer` at `offset`; 0 at the end. */
export type ReadBytes = (buffer: Buffer, offset: number, length: number) => number;

const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Calls `onLine` with each line's bytes (without its newline), the last one even
 * if unterminated. A line longer than the buffer grows it; lines straddling two
 * reads are carried over.
 */
export function scanLines(read: ReadBytes, chunkBytes: number, onLine: (bytes: Buffer, start: number, end: number) => void): void {
  let buffer = Buffer.allocUnsafe(Math.max(1, chunkBytes));
  let carried = 0;
  for (;;) {
    if (carried === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
    const got = read(buffer, carried, buffer.length - carried);
    if (got === 0) break;
    const filled = buffer.subarray(0, carried + got);
    let start = 0;
    for (let newline = filled.indexOf(NEWLINE, carried); newline !== -1; newline = filled.indexOf(NEWLINE, newline + 1)) {
      onLine(filled, start, newline);
      start = newline + 1;
    }
    buffer.copy(buffer, 0, start, filled.length);
    carried = filled.length - start;
  }
  if (carried > 0) onLine(buffer, 0, carried);
}

// The shape formatCatalogRecord writes (JSON.stringify, keys in a fixed order).
const ADD_HEAD = Buffer.from('{"op":"add","seq":');
const DEL_HEAD = Buffer.from('{"op":"del","seq":');
const PATH_KEY = Buffer.from(',"path":"');
const SIZE_KEY = Buffer.from(',"sizeBytes":');
const VOLUME_KEY = Buffer.from(',"volume":"');
/** Longer runs of digits are left to JSON.parse (a double's rounding). */
const MAX_SEQ_DIGITS = 15;

function hasAt(bytes: Buffer, at: number, end: number, literal: Buffer): boolean {
  if (end - at < literal.length) return false;
  for (let i = 0; i < literal.length; i += 1) if (bytes[at + i] !== literal[i]) return false;
  return true;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** The end of a run of digits JSON allows as a seq (no leading zero), or -1. */
function digitsEnd(bytes: Buffer, at: number, end: number): number {
  let i = at;
  while (i < end && isDigit(bytes[i])) i += 1;
  const count = i - at;
  if (count === 0 || count > MAX_SEQ_DIGITS || (count > 1 && bytes[at] === 0x30)) return -1;
  return i;
}

function digitsValue(bytes: Buffer, at: number, stop: number): number {
  let value = 0;
  for (let i = at; i < stop; i += 1) value = value * 10 + ((bytes[i] ?? 0) - 0x30);
  return value;
}

/** The end of a JSON string's raw value starting at `at` (its closing quote), or -1 if it has an escape or no end. */
function plainStringEnd(bytes: Buffer, at: number, end: number): number {
  for (let i = at; i < end; i += 1) {
    const byte = bytes[i];
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * What a line is, read from its raw bytes: an add's seq and where its path (or
 * volume) lies, a del's seq; undefined when it is not in the shape written (JSON.parse decides).
 */
export type LineSketch = { op: 'del'; seq: number } | { op: 'add'; seq: number; keyStart: number; keyEnd: number };

/** The end of the number after `,"sizeBytes":`, or -1. */
function sizeEnd(bytes: Buffer, at: number, end: number): number {
  if (!hasAt(bytes, at, end, SIZE_KEY)) return -1;
  let i = at + SIZE_KEY.length;
  while (i < end && bytes[i] !== 0x2c) i += 1; // up to the comma: a number has none
  return i;
}

/** Where the path (`key` 'path') or the volume of an add line starts and ends; undefined if escaped or not in its place. */
function keyRange(bytes: Buffer, pathStart: number, end: number, key: 'path' | 'volume'): [number, number] | undefined {
  const pathEnd = plainStringEnd(bytes, pathStart, end);
  if (pathEnd === -1) return undefined;
  if (key === 'path') return [pathStart, pathEnd];
  const volumeAt = sizeEnd(bytes, pathEnd + 1, end);
  if (volumeAt === -1 || !hasAt(bytes, volumeAt, end, VOLUME_KEY)) return undefined;
  const volumeStart = volumeAt + VOLUME_KEY.length;
  const volumeEnd = plainStringEnd(bytes, volumeStart, end);
  return volumeEnd === -1 ? undefined : [volumeStart, volumeEnd];
}

/** An add line's seq and path (or volume), a del line's seq, from the raw bytes. */
export function sketchLine(bytes: Buffer, start: number, end: number, key: 'path' | 'volume'): LineSketch | undefined {
  const isAdd = hasAt(bytes, start, end, ADD_HEAD);
  if (!isAdd && !hasAt(bytes, start, end, DEL_HEAD)) return undefined;
  const seqStart = start + ADD_HEAD.length;
  const seqEnd = digitsEnd(bytes, seqStart, end);
  if (seqEnd === -1) return undefined;
  const seq = digitsValue(bytes, seqStart, seqEnd);
  if (!isAdd) return seqEnd === end - 1 && bytes[seqEnd] === 0x7d ? { op: 'del', seq } : undefined;
  if (!hasAt(bytes, seqEnd, end, PATH_KEY)) return undefined;
  const range = keyRange(bytes, seqEnd + PATH_KEY.length, end, key);
  return range === undefined ? undefined : { op: 'add', seq, keyStart: range[0], keyEnd: range[1] };
}

const NOT_ASCII = -1;

/** FNV-1a of ASCII bytes; NOT_ASCII if one is not (undecoded, it could be invalid UTF-8). */
function asciiHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i] ?? 0;
    if (byte >= 0x80) return NOT_ASCII;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The keys a filter wants, and the hashes of their bytes: an add line whose raw key
 * hashes as none of them is not wanted, told without making a string of it.
 */
class WantedKeys {
  private readonly hashes = new Set<number>();

  constructor(readonly keys: ReadonlySet<string>) {
    for (const key of keys) {
      const bytes = Buffer.from(key);
      this.hashes.add(asciiHash(bytes, 0, bytes.length));
    }
  }

  /** False only if the raw key is surely not wanted; true lines are parsed and checked. */
  mayHaveRaw(bytes: Buffer, start: number, end: number): boolean {
    const hash = asciiHash(bytes, start, end);
    return hash === NOT_ASCII || this.hashes.has(hash);
  }
}

function parseRecord(line: string): CatalogRecord | undefined {
  try {
    return JSON.parse(line) as CatalogRecord;
  } catch {
    return undefined; // a torn line from a writer killed mid-append, or one being written
  }
}

/** Whether a line starting with `byte` may be a JSON object (a record): `{` or JSON whitespace. */
function mayStartObject(byte: number | undefined): boolean {
  return byte === 0x7b || byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

/** The live add records of the lines seen so far, those the filter keeps. */
class LiveRecords {
  private readonly live = new Map<number, AddRecord>();
  private readonly key: 'path' | 'volume';
  private readonly wanted: WantedKeys | undefined;

  constructor(filter: CatalogFilter | undefined) {
    this.key = filter !== undefined && 'volumes' in filter ? 'volume' : 'path';
    this.wanted = filter === undefined ? undefined : new WantedKeys('volumes' in filter ? filter.volumes : filter.paths);
  }

  line(bytes: Buffer, start: number, end: number): void {
    if (!mayStartObject(bytes[start])) return; // empty, or garbage: JSON.parse could make no record of it
    const sketch = this.wanted === undefined ? undefined : sketchLine(bytes, start, end, this.key);
    if (sketch === undefined) return this.apply(parseRecord(bytes.toString('utf8', start, end)));
    if (sketch.op === 'del') {
      this.live.delete(sketch.seq);
      return;
    }
    // An add not wanted is skipped unparsed, unless it may replace a kept record of its seq (never written so).
    if (this.wanted?.mayHaveRaw(bytes, sketch.keyStart, sketch.keyEnd) === true || this.live.has(sketch.seq)) this.apply(parseRecord(bytes.toString('utf8', start, end)));
  }

  objects(): StoredObject[] {
    return [...this.live.values()].sort((a, b) => a.seq - b.seq).map(toStoredObject);
  }

  private apply(record: CatalogRecord | undefined): void {
    if (record?.op === 'add') {
      if (this.keeps(record)) this.live.set(record.seq, record);
      else this.live.delete(record.seq);
    } else if (record?.op === 'del') this.live.delete(record.seq);
  }

  private keeps(record: AddRecord): boolean {
    return this.wanted === undefined || this.wanted.keys.has(record[this.key]);
  }
}

/**
 * The live objects of a catalog, in archive (seq) order: every one, or those the
 * filter keeps. Torn lines (a writer killed mid-append) and lines that do not parse
 * are skipped; a `del` removes the object of its seq.
 */
export function readCatalog(read: ReadBytes, filter?: CatalogFilter, chunkBytes = DEFAULT_CHUNK_BYTES): StoredObject[] {
  const live = new LiveRecords(filter);
  scanLines(read, chunkBytes, (bytes, start, end) => live.line(bytes, start, end));
  return live.objects();
}
