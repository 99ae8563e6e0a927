import fs from 'node:fs';
import type { LogCode, Logger } from '../core/log/index.js';
import { hintTextSteps, type HintScanOutcome } from './hint-parse.js';
import { HintFileError, hintByteSource, MAX_HINT_FILE_BYTES, withHintFileAsync } from '../core/hints/index.js';
import { runInSlices, type SlicedOutcome } from '../core/slices.js';
import { entryKind } from '../core/pool/index.js';
import { formatBytes } from '../core/units.js';
import type { RequestCache } from './request-cache.js';
import { errorMessage } from '../core/errors.js';

/** 'stopped': the daemon stops; the load was abandoned and is tried again next time. */
export type HintRefresh = 'none' | 'unchanged' | 'loaded' | 'failed' | 'stopped';

/** Identity of one version of the file: a rewrite changes at least one of these. */
function signatureOf(st: fs.Stats): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

/**
 * Keeps the hint file (SPEC 8) loaded into the request cache: read at start
 * and whenever its mtime (or size, or inode) changes, in slices between
 * which signals, sessions and the listing of request/ get their turn. A file that does not
 * parse, or is missing, is warned about once per version and the hints in
 * force stay.
 */
export class HintLoader {
  private attempted: string | null = null;
  private loadedMtimeMs: number | null = null;
  private file: string | undefined;

  constructor(
    private readonly cache: RequestCache,
    private readonly logger: Logger,
  ) {}

  /** Modification time of the hints in force, null when none. */
  get mtimeMs(): number | null {
    return this.loadedMtimeMs;
  }

  /**
   * Loads `file` if it is new or changed since the last attempt. The load
   * runs in slices, giving the event loop its turn between them; an abort of
   * `signal` (the daemon stops) abandons it ('stopped'), the hints in force
   * unchanged.
   */
  async refresh(file: string | undefined, signal?: AbortSignal): Promise<HintRefresh> {
    if (file !== this.file) {
      this.file = file;
      this.attempted = null;
    }
    if (this.file === undefined) return 'none';
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(this.file, { throwIfNoEntry: false });
    } catch (error) {
      return this.failOnce(`error:${errorMessage(error)}`, `hint file ${this.file}: ${errorMessage(error)}`);
    }
    if (st === undefined) return this.failOnce('missing', `hint file ${this.file} does not exist${this.keeping()}`, 'hintfile_missing');
    const signature = signatureOf(st);
    if (signature === this.attempted) return 'unchanged';
    const unusable = describeUnusable(st);
    if (unusable !== null) return this.failOnce(signature, `hint file ${this.file} ${unusable}; not read${this.keeping()}`);
    this.attempted = signature;
    const refreshed = await this.load(st, signal);
    if (refreshed === 'stopped') this.attempted = null;
    return refreshed;
  }

  private keeping(): string {
    return this.loadedMtimeMs === null ? '; all requests go to the default volume' : '; the hints loaded before stay in force';
  }

  private failOnce(signature: string, message: string, code: LogCode = 'hintfile_invalid'): HintRefresh {
    if (this.attempted !== signature) this.logger.warn(code, message);
    this.attempted = signature;
    return 'failed';
  }

  private async load(st: fs.Stats, signal?: AbortSignal): Promise<HintRefresh> {
    const file = this.file as string;
    const startedMs = Date.now();
    this.logger.debug(`Loading hint file ${file}`);
    // Streamed: a file of a million entries is never in memory whole. Built
    // beside the hints in force, which stay until it is complete.
    const add = this.cache.beginHints(planHintSlots(st.size));
    let sliced: SlicedOutcome<HintScanOutcome>;
    try {
      sliced = await withHintFileAsync(file, (open) => runInSlices(hintTextSteps(hintByteSource(open), add), signal));
    } catch (error) {
      this.cache.endHints(false);
      const why = error instanceof HintFileError ? errorMessage(error) : `hint file ${file} cannot be read: ${errorMessage(error)}`;
      this.logger.warn('hintfile_invalid', `${why}${this.keeping()}`);
      return 'failed';
    }
    this.cache.endHints(!sliced.stopped && sliced.value.ok);
    if (sliced.stopped) return 'stopped';
    const outcome = sliced.value;
    if (!outcome.ok) {
      this.logger.warn('hintfile_invalid', `hint file ${file} not loaded: ${outcome.error}${this.keeping()}`);
      return 'failed';
    }
    this.loadedMtimeMs = st.mtimeMs;
    const { entries, skipped, firstSkipReason } = outcome.summary;
    this.logger.info(`Hint file ${file} loaded: ${this.cache.hintEntries} entries in ${Date.now() - startedMs} ms`);
    if (skipped > 0) this.logger.warn('hintfile_entries_skipped', `hint file ${file}: ${skipped} of ${entries + skipped} entries skipped (first: ${firstSkipReason})`);
    return 'loaded';
  }
}

/**
 * Bytes of hint file per entry assumed when making room for its entries
 * ahead: more than an entry takes (our generator writes about 92, dsmc's
 * restore orders make about 125), so that room is never made for more
 * entries than the file holds; the id table and the columns round up to a
 * power of two anyway, so at a million entries this reaches their final size.
 */
const HINT_BYTES_PER_ENTRY_AT_MOST = 160;

/** Entries of a hint file of `fileBytes` to make room for before reading it: at most as many as it holds. Pure. */
export function planHintSlots(fileBytes: number): number {
  return Math.floor(fileBytes / HINT_BYTES_PER_ENTRY_AT_MOST);
}

/**
 * Why a path (followed: the hint file may be a symlink) cannot be a hint
 * file, or null. A FIFO would block the reading thread, and with it the
 * whole daemon, signals included.
 */
function describeUnusable(st: fs.Stats): string | null {
  const kind = entryKind(st);
  if (kind !== 'file') return `is not a regular file (a ${kind})`;
  if (st.size > MAX_HINT_FILE_BYTES) return `is ${formatBytes(st.size)}, more than a hint file can be (${formatBytes(MAX_HINT_FILE_BYTES)})`;
  return null;
}
