import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEvents, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log/index.js';
import type { PoolLayout } from '../core/pool/index.js';
import { isProcessAlive } from '../core/runtime/index.js';
import type { RequestCache } from './request-cache.js';
import { decideRequestFate, parseRequestText, type RequestParse } from './request-parse.js';
import { errorMessage, isErrno } from '../core/errors.js';

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

type Text = { readonly text: string } | { readonly gone: true } | { readonly error: string };

/** The request file's text; synchronous (measured: 5× cheaper than the thread pool for small files). */
function readText(file: string): Text {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { gone: true };
    return { error: errorMessage(error) };
  }
}

/** Size of in/<id> if it is a regular file. */
export function inFileSize(inDir: string, id: string): number | null {
  const st = fs.statSync(path.join(inDir, id), { throwIfNoEntry: false });
  return st !== undefined && st.isFile() ? st.size : null;
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
  ) {}

  private requestPath(id: string): string {
    return path.join(this.pool.request, id);
  }

  /** Reads the given unread requests; files caught mid-write get a few short retries. */
  async read(ids: readonly string[]): Promise<ReadTally> {
    const tally: ReadTally = { pending: 0, ignored: 0, invalid: 0, stale: 0, complete: 0, gone: 0 };
    let todo = ids;
    for (let attempt = 1; todo.length > 0; attempt++) {
      const again: string[] = [];
      for (let start = 0; start < todo.length; start += READ_SLICE) {
        for (const id of todo.slice(start, start + READ_SLICE)) {
          const retry = this.readOne(id, tally, attempt < PARTIAL_RETRIES);
          if (retry) again.push(id);
        }
        if (start + READ_SLICE < todo.length) await yieldToEvents();
      }
      todo = again;
      if (todo.length > 0) await sleep(PARTIAL_RETRY_MS);
    }
    this.logSummary(tally);
    return tally;
  }

  /** Returns true when the file should be read again shortly (caught mid-write). */
  private readOne(id: string, tally: ReadTally, mayRetry: boolean): boolean {
    const mtimeMs = this.cache.mtimeOf(id);
    if (mtimeMs === null) return false;
    const read = readText(this.requestPath(id));
    if ('gone' in read) {
      this.cache.forget(id);
      tally.gone++;
      return false;
    }
    const parse: RequestParse = 'error' in read ? { kind: 'invalid', reason: `cannot be read: ${read.error}`, maybePartial: false } : parseRequestText(read.text);
    if (parse.kind === 'invalid' && parse.maybePartial && mayRetry) return true;
    this.settle(id, mtimeMs, parse, tally);
    return false;
  }

  private settle(id: string, mtimeMs: number, parse: RequestParse, tally: ReadTally): void {
    const recall = parse.kind === 'recall' ? parse : null;
    const parentAlive = recall?.parentPid == null ? null : this.liveness.isAlive(recall.parentPid);
    const inSizeBytes = recall === null ? null : inFileSize(this.pool.in, id);
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
        this.removeRequest(id);
        tally.complete++;
        this.logger.verbose(`Removed request ${id}: in/${id} is already complete (${inSizeBytes} bytes)`);
        return;
    }
  }

  private removeRequest(id: string): void {
    removeFile(this.requestPath(id));
    this.cache.forget(id);
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
        if ('gone' in read) {
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
