import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log/index.js';
import type { PoolLayout } from '../core/pool/index.js';
import { isProcessAlive } from '../core/runtime/index.js';
import type { RequestCache } from './request-cache.js';
import { decideRequestFate, parseRequestText, type RequestParse } from './request-parse.js';
import { errorMessage, isErrno } from '../core/errors.js';
import { entryKind, type EntryKind } from '../core/pool/index.js';
import { formatBytes } from '../core/units.js';
import { RequestDirWarnings } from './request-dir-warnings.js';

/** Reads per slice before yielding to events and signals. */
const READ_SLICE = 1000;
/** A request caught mid-write is read again this often, this many times, before it counts as invalid. */
const PARTIAL_RETRIES = 3;
const PARTIAL_RETRY_MS = 100;

/** Whether a pid is alive, asked once per distinct pid per cycle (not once per request). */
export class PidLiveness {
  private readonly known = new Map<number, boolean>();

  isAlive(pid: number): boolean {
    let alive = this.known.get(pid);
    if (alive === undefined) {
      alive = isProcessAlive(pid);
      this.known.set(pid, alive);
    }
    return alive;
  }

  /** Forget the answers (each cycle). */
  reset(): void {
    this.known.clear();
  }
}

export interface ReadTally {
  pending: number;
  ignored: number;
  invalid: number;
  stale: number;
  complete: number;
  gone: number;
}

type Text = { readonly text: string } | { readonly gone: true } | { readonly odd: EntryKind } | { readonly error: string };

/** A request is a few hundred bytes of JSON; anything much larger is not one. */
const MAX_REQUEST_BYTES = 1024 * 1024;

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/**
 * The request file's text; synchronous (measured: 5× cheaper than the thread
 * pool for small files). Opened without following a symlink and without
 * blocking (a FIFO would block the open, and the whole daemon with it), and
 * read only if the descriptor is a regular file.
 */
function readText(file: string): Text {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { gone: true };
    // ELOOP: a symlink (O_NOFOLLOW); ENXIO: a socket.
    if (isErrno(error, 'ELOOP') || isErrno(error, 'ENXIO')) return oddOrGone(file);
    return { error: errorMessage(error) };
  }
  try {
    const st = fs.fstatSync(fd);
    const kind = entryKind(st);
    if (kind !== 'file') return { odd: kind };
    return readBounded(fd, MAX_REQUEST_BYTES, st.size);
  } catch (error) {
    return { error: errorMessage(error) };
  } finally {
    fs.closeSync(fd);
  }
}

function oddOrGone(file: string): Text {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  return st === undefined ? { gone: true } : { odd: entryKind(st) };
}

/** One buffer for every read (they are synchronous); grows up to MAX_REQUEST_BYTES + 1 only for odd files. */
let readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * At most `maxBytes` of an open file as text; more is an error. Stops once
 * `sizeBytes` (fstat's) are read, saving the read that would return 0: a
 * file still growing is cut JSON, which the reader retries.
 */
function readBounded(fd: number, maxBytes: number, sizeBytes: number): Text {
  let length = 0;
  while (sizeBytes === 0 || length < sizeBytes) {
    if (length === readBuffer.length) {
      if (length > maxBytes) return { error: `larger than ${formatBytes(maxBytes)}, more than a request can be` };
      const grown = Buffer.allocUnsafe(Math.min(readBuffer.length * 2, maxBytes + 1));
      readBuffer.copy(grown, 0, 0, length);
      readBuffer = grown;
    }
    const read = fs.readSync(fd, readBuffer, length, readBuffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  if (length > maxBytes) return { error: `larger than ${formatBytes(maxBytes)}, more than a request can be` };
  return { text: readBuffer.toString('utf8', 0, length) };
}

/** What in/<id> is (lstat: a symlink there is never followed); null when absent. */
export function inEntryOf(inDir: string, id: string): { readonly kind: EntryKind; readonly sizeBytes: number } | null {
  const st = fs.lstatSync(path.join(inDir, id), { throwIfNoEntry: false });
  return st === undefined ? null : { kind: entryKind(st), sizeBytes: st.size };
}

/**
 * The names in in/ when a batch of requests is read: in/ holds few files
 * (dCache takes them away), so one directory read spares an lstat per
 * request. Names are collected only up to `limit`; past it (a backlog in
 * in/) every request is lstat-ed as before. A file that lands after the
 * snapshot belongs to a running session, which settles its request itself.
 */
export class InDirNames {
  private constructor(private readonly names: ReadonlySet<string> | null) {}

  static read(inDir: string, limit: number): InDirNames {
    const names = new Set<string>();
    let handle: fs.Dir | undefined;
    try {
      handle = fs.opendirSync(inDir, { bufferSize: 1024 });
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (names.size >= limit) return new InDirNames(null);
        names.add(entry.name);
      }
      return new InDirNames(names);
    } catch {
      return new InDirNames(null); // unreadable now: fall back to an lstat per request
    } finally {
      handle?.closeSync();
    }
  }

  /** False only when in/ surely has no entry of this name. */
  mayHold(id: string): boolean {
    return this.names === null || this.names.has(id);
  }
}

/** Size of in/<id> if it is a regular file. */
export function inFileSize(inDir: string, id: string): number | null {
  const entry = inEntryOf(inDir, id);
  return entry?.kind === 'file' ? entry.sizeBytes : null;
}

export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

/**
 * Reads request JSON (SPEC 6.3) and settles each request: pending, not a
 * recall, invalid (warned about once per file version), stale (dead
 * parent_pid: removed) or already complete in in/ (removed).
 */
export class RequestReader {
  constructor(
    private readonly pool: PoolLayout,
    private readonly cache: RequestCache,
    private readonly logger: Logger,
    private readonly liveness: PidLiveness,
    private readonly warnings: RequestDirWarnings = new RequestDirWarnings(pool.request, logger),
  ) {}

  private requestPath(id: string): string {
    return path.join(this.pool.request, id);
  }

  /**
   * Reads the given unread requests; files caught mid-write get a few short
   * retries. `giveWay` is asked between slices: background reads stop when it
   * says so (a session ended: the next one should start now), and what is
   * left stays unread for the next cycle.
   */
  async read(ids: readonly string[], giveWay: () => boolean = () => false): Promise<ReadTally> {
    const tally: ReadTally = { pending: 0, ignored: 0, invalid: 0, stale: 0, complete: 0, gone: 0 };
    const inNames = InDirNames.read(this.pool.in, Math.max(READ_SLICE, ids.length));
    let todo = ids;
    for (let attempt = 1; todo.length > 0; attempt++) {
      const again: string[] = [];
      for (let start = 0; start < todo.length; start += READ_SLICE) {
        for (const id of todo.slice(start, start + READ_SLICE)) {
          const retry = this.readOne(id, tally, attempt < PARTIAL_RETRIES, inNames);
          if (retry) again.push(id);
        }
        if (start + READ_SLICE < todo.length) await yieldToEvents();
        if (giveWay()) return this.finishRead(tally);
      }
      todo = again;
      if (todo.length > 0) await sleep(PARTIAL_RETRY_MS);
    }
    return this.finishRead(tally);
  }

  private finishRead(tally: ReadTally): ReadTally {
    this.logSummary(tally);
    return tally;
  }

  /** Returns true when the file should be read again shortly (caught mid-write). */
  private readOne(id: string, tally: ReadTally, mayRetry: boolean, inNames: InDirNames): boolean {
    const mtimeMs = this.cache.mtimeOf(id);
    if (mtimeMs === null) return false;
    const read = readText(this.requestPath(id));
    if ('gone' in read || 'odd' in read) {
      // Replaced by something that is not a request since it was listed.
      if ('odd' in read) this.warnings.oddEntry(id, read.odd);
      this.cache.forget(id);
      tally.gone++;
      return false;
    }
    const parse: RequestParse = 'error' in read ? { kind: 'invalid', reason: `cannot be read: ${read.error}`, maybePartial: false } : parseRequestText(read.text);
    if (parse.kind === 'invalid' && parse.maybePartial && mayRetry) return true;
    this.settle(id, mtimeMs, parse, tally, inNames);
    return false;
  }

  private settle(id: string, mtimeMs: number, parse: RequestParse, tally: ReadTally, inNames: InDirNames): void {
    const recall = parse.kind === 'recall' ? parse : null;
    const parentAlive = recall?.parentPid == null ? null : this.liveness.isAlive(recall.parentPid);
    const inSizeBytes = recall === null || !inNames.mayHold(id) ? null : inFileSize(this.pool.in, id);
    const fate = decideRequestFate(parse, { parentAlive, inSizeBytes });
    switch (fate) {
      case 'pending':
        if (recall !== null) this.cache.markRead(id, mtimeMs, { kind: 'pending', fileSizeBytes: recall.fileSizeBytes, parentPid: recall.parentPid });
        tally.pending++;
        return;
      case 'ignore':
        this.cache.markRead(id, mtimeMs, { kind: 'ignored' });
        tally.ignored++;
        return;
      case 'invalid':
        this.cache.markRead(id, mtimeMs, { kind: 'invalid' });
        tally.invalid++;
        if (parse.kind === 'invalid') this.logger.warn('request_invalid', `request/${id}: ${parse.reason}; ignored until the file changes`);
        return;
      case 'stale':
        this.removeRequest(id);
        tally.stale++;
        this.logger.verbose(`Removed stale request ${id}: parent_pid ${recall?.parentPid} is not running`);
        return;
      case 'complete':
        this.removeRequest(id, 'delivered');
        tally.complete++;
        this.logger.verbose(`Removed request ${id}: in/${id} is already complete (${inSizeBytes} bytes)`);
        return;
    }
  }

  /** `delivered`: its file is complete in in/, dCache takes it (the request wait histogram). */
  private removeRequest(id: string, how: 'gone' | 'delivered' = 'gone'): void {
    removeFile(this.requestPath(id));
    this.cache.forget(id, how);
  }

  /**
   * The process `pid` is gone: re-read each of its pending requests and
   * remove those that still name it (dCache may have rewritten them meanwhile
   * under a new pool process).
   */
  async removeStale(pid: number): Promise<number> {
    const ids = this.cache.idsWithPid(pid);
    let removed = 0;
    for (let start = 0; start < ids.length; start += READ_SLICE) {
      for (const id of ids.slice(start, start + READ_SLICE)) {
        const read = readText(this.requestPath(id));
        if ('gone' in read || 'odd' in read) {
          this.cache.forget(id);
          continue;
        }
        const parse = 'text' in read ? parseRequestText(read.text) : null;
        if (parse?.kind !== 'recall' || parse.parentPid !== pid) continue;
        this.removeRequest(id);
        removed++;
        this.logger.verbose(`Removed stale request ${id}: parent_pid ${pid} is not running`);
      }
      if (start + READ_SLICE < ids.length) await yieldToEvents();
    }
    if (removed > 0) this.logger.info(`Removed ${removed} stale request(s): their parent_pid ${pid} is not running`);
    return removed;
  }

  private logSummary(tally: ReadTally): void {
    if (tally.stale > 0) this.logger.info(`Removed ${tally.stale} stale request(s) whose parent_pid is not running`);
    if (tally.complete > 0) this.logger.info(`Removed ${tally.complete} request(s) whose file is already complete in in/`);
  }
}
