import path from 'node:path';
import type { DaemonContext } from '../core/runtime/index.js';
import { describeEnd, dsmcPidOf, exitCodeOf, logDsmcMessages, logDsmcOutputLimits, retrieveArgs, writeFileList, type DsmcOutcome, type LineClass } from '../core/dsmc/index.js';
import { writeFileAtomic } from '../core/stats/index.js';
import { isPnfsid, OddEntryWarnings, type EntryKind } from '../core/pool/index.js';
import type { PlannedRetrieveSession, RetrieveOutcome, RunningVolume } from './policy.js';
import type { RequestCache } from './request-cache.js';
import { inEntryOf, inFileSize, removeFile } from './request-reader.js';
import { statRequestFile } from './scan-requests.js';
import { formatBytes } from '../core/units.js';
import { errorMessage } from '../core/errors.js';

/** Most dsmc messages (or per-file warnings) logged for one session; the rest are counted. */
const MAX_LOGGED_LINES = 50;
/**
 * Files the stall watchdog's probe looks at: the first ones of the list not
 * done yet, one of which dsmc writes now (it reads in list order, which is
 * tape order). Only a file that takes longer than dsmc_stalltimeout needs
 * the probe at all; every file done prints a line.
 */
const PROBED_FILES = 16;
/** `Retrieving 1,234 /d/out/<id> --> /d/in/<id> [Done]`: the file has landed completely. */
const DONE_LINE = /\s-->\s+(\S.*?)\s+\[Done\]\s*$/;

export interface RetrieverCounters {
  stagedBytes: number;
  stagedFiles: number;
  stageRetries: number;
  failedFiles: number;
  /** dsmc retrieve sessions, counted as they end (one per session record). */
  sessions: number;
  /** Of those, the ones whose dsmc ran and that did not follow on a tape estimated still mounted. */
  freshMounts: number;
}

export interface SessionEnd extends RetrieveOutcome {
  readonly volume: string;
}

interface RunningRetrieve {
  readonly volume: string;
  /** id → file_size, in list (tape) order. */
  readonly sizes: ReadonlyMap<string, number>;
  readonly bytes: number;
  readonly cut: boolean;
  /** When the oldest request on its list was first seen: its age counts until the session ends. */
  readonly oldestMs: number;
  /** For the session history. */
  readonly startedMs: number;
  readonly reason: string;
  readonly followOn: boolean;
  /** Ids whose `[Done]` line dsmc printed. */
  readonly done: Set<string>;
  /** Ids failed with a `.err` file (ANS1345E). */
  readonly failed: Set<string>;
  stillToLandBytes: number;
  errWrites: Promise<void>;
}

interface SessionTally {
  staged: string[];
  retry: string[];
  mismatched: string[];
  gone: number;
}

/**
 * Runs retrieve sessions (SPEC 6.7–6.9): leftovers removed first, the list
 * written, dsmc run, ANS1345E turned into `.err` files while it runs, and
 * afterwards staged files and retries counted.
 */
export class RetrieveSessions {
  private readonly running = new Map<string, RunningRetrieve>();
  private ended: SessionEnd[] = [];
  private readonly inWarnings: OddEntryWarnings;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly cache: RequestCache,
    private readonly counters: RetrieverCounters,
  ) {
    this.inWarnings = new OddEntryWarnings(ctx.pool.in, (message) => ctx.logger.warn('odd_entry', message));
  }

  /** Whether a session ended since the last takeEnded (background work then gives way to the next cycle). */
  hasEnded(): boolean {
    return this.ended.length > 0;
  }

  /** Sessions that ended since the last call, for the policy's bookkeeping (applied between decisions, never during one). */
  takeEnded(): SessionEnd[] {
    const ended = this.ended;
    this.ended = [];
    return ended;
  }

  get size(): number {
    return this.running.size;
  }

  runningVolumes(): RunningVolume[] {
    return [...this.running.values()].map((r) => ({ volume: r.volume, stillToLandBytes: Math.max(0, r.stillToLandBytes) }));
  }

  /** Files and bytes in running lists, and bytes of them not landed yet. */
  working(): { files: number; bytes: number; stillToLandBytes: number } {
    let files = 0;
    let bytes = 0;
    let stillToLandBytes = 0;
    for (const r of this.running.values()) {
      files += r.sizes.size;
      bytes += r.bytes;
      stillToLandBytes += Math.max(0, r.stillToLandBytes);
    }
    return { files, bytes, stillToLandBytes };
  }

  /** When the oldest request on a running list was first seen (Infinity when none runs). */
  oldestWorkingMs(): number {
    let oldest = Infinity;
    for (const r of this.running.values()) oldest = Math.min(oldest, r.oldestMs);
    return oldest;
  }

  /** Ids in running lists (for the cleanup of in/). */
  workingIds(): Set<string> {
    const ids = new Set<string>();
    for (const r of this.running.values()) for (const id of r.sizes.keys()) ids.add(id);
    return ids;
  }

  /** Kills every running dsmc now (space FULL). */
  killAll(): number {
    return this.ctx.sessions.killAllNow().length;
  }

  /**
   * SPEC 6.7: before a session, a request whose in/ file is already complete
   * is done (request removed); an in/ file of another size is a broken
   * earlier attempt (removed, or dsmc -replace=no would skip it). A request
   * file gone since the last scan was cancelled by dCache: left out, as
   * the Perl retriever's checkrequest did (one lstat each; inotify events
   * may be late or lost).
   */
  private prepareList(plan: PlannedRetrieveSession): Map<string, number> {
    const { pool, logger } = this.ctx;
    const sizes = new Map<string, number>();
    for (const request of plan.requests) {
      const fileSize = this.cache.fileSizeOf(request.id);
      if (fileSize === null) continue;
      if (statRequestFile(pool.request, request.id) === null) {
        this.cache.forget(request.id);
        logger.verbose(`Left ${request.id} out of the list of volume ${plan.volume}: its request is gone (cancelled)`);
        continue;
      }
      const inEntry = inEntryOf(pool.in, request.id);
      if (inEntry !== null && inEntry.kind !== 'file') {
        if (!this.clearOddInEntry(request.id, inEntry.kind)) continue;
      } else if (inEntry?.sizeBytes === fileSize) {
        removeFile(path.join(pool.request, request.id));
        this.cache.forget(request.id, 'delivered');
        logger.verbose(`Removed request ${request.id}: in/${request.id} is already complete (${fileSize} bytes)`);
        continue;
      } else if (inEntry !== null) {
        removeFile(path.join(pool.in, request.id));
        logger.verbose(`Removed in/${request.id}: ${inEntry.sizeBytes} bytes of ${fileSize}, left by an earlier attempt`);
      }
      sizes.set(request.id, fileSize);
    }
    return sizes;
  }

  /**
   * in/<id> is not a regular file, so dsmc (-replace=no) would never write
   * the recalled file there. A symlink, FIFO or socket is only a name:
   * removed (never followed). A directory is left alone and its request
   * waits, warned about once. Returns whether the request can be listed.
   */
  private clearOddInEntry(id: string, kind: EntryKind): boolean {
    if (kind === 'directory') {
      this.inWarnings.report(id, kind);
      return false;
    }
    removeFile(path.join(this.ctx.pool.in, id));
    this.ctx.logger.warn('odd_entry', `${this.ctx.pool.in}/${id}: a ${kind} is not a regular file; removed so that the recall can write the file`);
    return true;
  }

  /** Starts one session; returns false when nothing was left to recall or its list could not be written. */
  async start(plan: PlannedRetrieveSession): Promise<boolean> {
    const prepared = this.prepareList(plan);
    const taken = this.cache.startWork([...prepared.keys()]);
    if (taken.length === 0) return false;
    const sizes = new Map(taken.map((id) => [id, prepared.get(id) as number]));
    const listFile = await this.writeList(plan, taken);
    if (listFile === null) return false;
    let bytes = 0;
    for (const size of sizes.values()) bytes += size;
    const oldestMs = plan.requests.reduce((oldest, request) => Math.min(oldest, request.sinceMs), Infinity);
    const session: RunningRetrieve = {
      volume: plan.volume, sizes, bytes, cut: plan.cut, oldestMs, startedMs: this.ctx.nowMs(), reason: plan.reason, followOn: plan.followOn,
      done: new Set(), failed: new Set(), stillToLandBytes: bytes, errWrites: Promise.resolve(),
    };
    this.running.set(plan.volume, session);
    this.ctx.logger.info(`Starting retrieve session for volume ${plan.volume}: ${sizes.size} files, ${formatBytes(bytes)} (${plan.reason})`);
    for (const id of taken) this.ctx.logger.debug(`Volume ${plan.volume}: listing ${id} (${sizes.get(id)} bytes)`);
    this.runDsmc(session, listFile);
    return true;
  }

  /**
   * Writes the volume's file list. A failure (a full or read-only
   * requestlists/) affects this volume only: its requests go back to wait,
   * and it backs off like a failed session, while other volumes run.
   */
  private async writeList(plan: PlannedRetrieveSession, ids: readonly string[]): Promise<string | null> {
    const { pool, logger } = this.ctx;
    try {
      return await writeFileList(pool.requestlists, plan.volume, ids.map((id) => path.join(pool.out, id)));
    } catch (error) {
      for (const id of ids) this.cache.endWork(id, 'retry');
      logger.warn('list_write_failed', `cannot write the file list of volume ${plan.volume} in ${pool.requestlists}: ${errorMessage(error)}; the volume backs off, others go on`);
      this.ended.push({ volume: plan.volume, succeeded: false, killedByUs: false, cut: plan.cut, mounted: false });
      return null;
    }
  }

  private runDsmc(session: RunningRetrieve, listFile: string): void {
    const { pool, logger, config, sessions } = this.ctx;
    const { values, derived } = config.current;
    const stallMs = derived.dsmcStallTimeoutMs;
    sessions
      .run({
        executable: values.dsmc_executable,
        args: retrieveArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, listFile, pool.in),
        cpuLimitSec: values.dsmc_cpulimit,
        listFile,
        onLine: (line, cls) => this.onLine(session, line, cls),
        ...(stallMs > 0 ? { stall: { stallMs, probe: () => this.landingBytes(session) } } : {}),
      })
      .then(
        (outcome) => this.finish(session, outcome),
        (error: unknown) => this.finish(session, { end: { kind: 'spawn-failed', error: errorMessage(error) }, messages: [], pid: undefined }),
      )
      .catch((error: unknown) => logger.error('internal_error', `after the retrieve session for ${session.volume}: ${errorMessage(error)}`));
  }

  /** Bytes in in/ of the first files of the list not done yet: what the stall watchdog sees land. */
  private landingBytes(session: RunningRetrieve): number {
    let bytes = 0;
    let probed = 0;
    for (const id of session.sizes.keys()) {
      if (session.done.has(id) || session.failed.has(id)) continue;
      bytes += inFileSize(this.ctx.pool.in, id) ?? 0;
      if (++probed === PROBED_FILES) break;
    }
    return bytes;
  }

  private onLine(session: RunningRetrieve, line: string, cls: LineClass): void {
    if (cls.kind === 'message') {
      if (cls.message.code !== 'ANS1345E' || cls.message.quotedPath === undefined) return;
      const id = path.basename(cls.message.quotedPath);
      if (!isPnfsid(id) || !session.sizes.has(id) || session.failed.has(id)) return;
      session.failed.add(id);
      if (!session.done.has(id)) session.stillToLandBytes -= session.sizes.get(id) ?? 0;
      const text = cls.message.text;
      session.errWrites = session.errWrites.then(() => this.failRequest(session, id, text));
      return;
    }
    const done = DONE_LINE.exec(line);
    if (done === null) return;
    const id = path.basename(done[1] as string);
    if (!session.sizes.has(id) || session.done.has(id) || session.failed.has(id)) return;
    session.done.add(id);
    this.cache.markLanded(id);
    session.stillToLandBytes -= session.sizes.get(id) ?? 0;
  }

  /** SPEC 6.8: the file is not on tape. dCache reads `request/<id>.err` and fails the recall with its text. */
  private async failRequest(session: RunningRetrieve, id: string, text: string): Promise<void> {
    const { pool, logger } = this.ctx;
    try {
      await writeFileAtomic(path.join(pool.request, `${id}.err`), `${text}\n`);
      removeFile(path.join(pool.request, id));
      this.cache.forget(id);
      this.counters.failedFiles++;
      logger.warn('recall_failed', `Recall of ${id} (volume ${session.volume}) failed: ${text}`);
    } catch (error) {
      session.failed.delete(id);
      logger.error('err_write_failed', `cannot fail the recall of ${id}: ${errorMessage(error)}`);
    }
  }

  /** SPEC 6.9: what landed, what failed, what is retried. */
  private tallyFiles(session: RunningRetrieve): SessionTally {
    const tally: SessionTally = { staged: [], retry: [], mismatched: [], gone: 0 };
    for (const [id, size] of session.sizes) {
      if (session.failed.has(id)) continue;
      const inSize = inFileSize(this.ctx.pool.in, id);
      // Asked of the directory, not the cache: dCache may have taken the file since the last cycle.
      const requestGone = statRequestFile(this.ctx.pool.request, id) === null;
      if (inSize === size || (requestGone && session.done.has(id))) {
        tally.staged.push(id);
        this.cache.endWork(id, 'staged');
      } else if (requestGone) {
        tally.gone++;
      } else {
        tally.retry.push(id);
        if (inSize !== null) tally.mismatched.push(id);
        this.cache.endWork(id, 'retry');
      }
    }
    return tally;
  }

  private async finish(session: RunningRetrieve, outcome: DsmcOutcome): Promise<void> {
    const endMs = this.ctx.nowMs();
    await session.errWrites;
    const tally = this.tallyFiles(session);
    const stagedBytes = this.countStaged(session, tally);
    const killedByUs = outcome.end.kind === 'aborted';
    // A stalled session failed even if all its files landed: dsmc hung (issue 11).
    const succeeded = tally.retry.length === 0 && outcome.end.kind !== 'prompt' && outcome.end.kind !== 'stalled';
    this.logEnd(session, outcome, tally, succeeded || killedByUs);
    const pid = dsmcPidOf(outcome);
    this.counters.sessions++;
    if (!session.followOn && pid !== null) this.counters.freshMounts++;
    this.ctx.history.record({
      volume: session.volume,
      pid,
      startMs: session.startedMs,
      endMs,
      files: tally.staged.length,
      bytes: stagedBytes,
      failed: session.failed.size + tally.retry.length,
      rc: exitCodeOf(outcome.end),
      reason: session.reason,
      followOn: session.followOn,
    });
    this.running.delete(session.volume);
    const mounted = tally.staged.length > 0 || session.failed.size > 0;
    this.ended.push({ volume: session.volume, succeeded, killedByUs, cut: session.cut, mounted });
    this.ctx.wake();
  }

  /** Counts the staged files and the retries; returns the bytes staged. */
  private countStaged(session: RunningRetrieve, tally: SessionTally): number {
    let stagedBytes = 0;
    for (const id of tally.staged) {
      const size = session.sizes.get(id) ?? 0;
      this.counters.stagedFiles++;
      this.counters.stagedBytes += size;
      stagedBytes += size;
      this.ctx.logger.verbose(`Staged ${id} (${size} bytes) from volume ${session.volume}`);
    }
    this.counters.stageRetries += tally.retry.length;
    return stagedBytes;
  }

  /** The session's end line: info when it succeeded or we killed it, else a warning with dsmc's messages. */
  private logEnd(session: RunningRetrieve, outcome: DsmcOutcome, tally: SessionTally, fine: boolean): void {
    const { logger } = this.ctx;
    const clean = outcome.end.kind === 'exited' && outcome.end.exitCode === 0;
    if (!clean && outcome.end.kind !== 'aborted') this.logMessages(session, outcome);
    const summary = `${tally.staged.length} staged, ${session.failed.size} failed (not on tape), ${tally.retry.length} to retry`;
    if (fine) {
      logger.info(`Retrieve session for volume ${session.volume} ${clean ? 'done' : describeEnd(outcome.end)}: ${summary}`);
    } else {
      const code = outcome.end.kind === 'stalled' ? 'dsmc_stalled' : 'dsmc_failed';
      logger.warn(code, `Retrieve session for volume ${session.volume} ${describeEnd(outcome.end)}: ${summary}`);
      this.warnMismatches(session, tally.mismatched);
    }
  }

  private logMessages(session: RunningRetrieve, outcome: DsmcOutcome): void {
    const others = outcome.messages.filter((m) => m.code !== 'ANS1345E');
    logDsmcMessages(this.ctx.logger, `dsmc retrieve (volume ${session.volume})`, others, MAX_LOGGED_LINES);
    logDsmcOutputLimits(this.ctx.logger, `dsmc retrieve (volume ${session.volume})`, outcome);
  }

  private warnMismatches(session: RunningRetrieve, ids: readonly string[]): void {
    const { logger, pool } = this.ctx;
    for (const id of ids.slice(0, MAX_LOGGED_LINES)) {
      logger.warn('size_mismatch', `in/${id} has ${inFileSize(pool.in, id) ?? 'no'} bytes, its request wants ${session.sizes.get(id)}`);
    }
    if (ids.length > MAX_LOGGED_LINES) logger.warn('size_mismatch', `${ids.length - MAX_LOGGED_LINES} more files in in/ of volume ${session.volume} have the wrong size`);
  }
}
