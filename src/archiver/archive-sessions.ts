import type { DaemonContext } from '../core/runtime/index.js';
import { CompactNameSet, type DirChanges, type DirIndex, type PoolFile } from '../core/pool/index.js';
import { archiveArgs, describeEnd, logDsmcMessages, type DsmcOutcome } from '../core/dsmc/index.js';
import { errorMessage } from '../core/errors.js';
import { writeArchiveList } from './archive-list.js';
import { classifyFinishedFiles } from './cycle-work.js';
import type { ArchiverCounters } from './figures-of.js';
import type { PlannedArchiveSession } from './policy.js';

interface RunningArchive {
  readonly files: readonly PoolFile[];
  readonly bytes: number;
  readonly description: string;
}

export interface EndedArchive {
  readonly session: RunningArchive;
  readonly outcome: DsmcOutcome;
}

/** For the back-off: a session that flushed its whole list succeeded; one we killed (stop) counts as neither. */
export type SessionResult = 'succeeded' | 'failed' | 'killed-by-us';

/**
 * The archiver's running dsmc sessions and their bookkeeping: the names in
 * their lists (the working set), the pending totals (files in out/ in no
 * running session's list, kept up to date as files and sessions come and
 * go, so that nothing is summed over a million files each second), and the
 * counters of flushed files and retries.
 */
export class ArchiveSessions {
  private readonly running = new Map<number, RunningArchive>();
  /** Names in the lists of running sessions (a compact set: a million names in a JS Set cost twice the memory). */
  readonly working = new CompactNameSet();
  private ended: EndedArchive[] = [];
  private nextSessionId = 1;
  private workingBytes = 0;
  private pendingFiles = 0;
  private pendingBytes = 0;
  readonly counters: ArchiverCounters = { flushedBytes: 0, flushedFiles: 0, flushRetries: 0 };

  constructor(
    private readonly ctx: DaemonContext,
    private readonly index: DirIndex,
  ) {}

  get size(): number {
    return this.running.size;
  }

  totals(): { workingFiles: number; workingBytes: number; pendingFiles: number; pendingBytes: number } {
    return { workingFiles: this.working.size, workingBytes: this.workingBytes, pendingFiles: this.pendingFiles, pendingBytes: this.pendingBytes };
  }

  /** Sessions that ended since the last call; accounted once out/ was listed after their end. */
  takeEnded(): EndedArchive[] {
    return this.ended.splice(0);
  }

  /** Ended sessions that could not be accounted (out/ not listable): again next cycle. */
  putBack(ended: readonly EndedArchive[]): void {
    this.ended.unshift(...ended);
  }

  /** Writes the list and starts dsmc; the files leave the pending totals for the working set. */
  async start(plan: PlannedArchiveSession): Promise<void> {
    const { pool, logger, config, sessions } = this.ctx;
    const values = config.current.values;
    const listFile = await writeArchiveList(pool.requestlists, 'tsm-archive-files', pool.out, plan.files);
    const id = this.nextSessionId++;
    const session: RunningArchive = { files: plan.files, bytes: plan.bytes, description: plan.description };
    this.running.set(id, session);
    logger.info(`Starting archive session ${plan.description}: ${plan.files.length} files, ${plan.bytes} bytes (${plan.reason})`);
    const outcome = sessions.run({
      executable: values.dsmc_executable,
      args: archiveArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, plan.description, listFile),
      cpuLimitSec: values.dsmc_cpulimit,
      listFile,
    });
    // dsmc is spawned already (run() spawns synchronously); a million names take a moment to note.
    for (const file of plan.files) this.working.add(file.name);
    this.workingBytes += plan.bytes;
    this.pendingFiles -= plan.files.length;
    this.pendingBytes -= plan.bytes;
    outcome
      .then(
        (result) => this.finish(id, result),
        (error: unknown) => {
          logger.error('dsmc_failed', `archive session ${plan.description}: ${errorMessage(error)}`);
          this.finish(id, { end: { kind: 'spawn-failed', error: String(error) }, messages: [], pid: undefined });
        },
      )
      .catch((error: unknown) => logger.error('internal_error', `after archive session: ${errorMessage(error)}`));
  }

  private finish(id: number, outcome: DsmcOutcome): void {
    const session = this.running.get(id);
    if (session === undefined) return;
    this.running.delete(id);
    this.ended.push({ session, outcome });
    this.ctx.wake();
  }

  /** Brings the pending totals up to date with what a listing found; says whether the policy should look. */
  applyChanges(changes: DirChanges): boolean {
    for (const file of changes.added) {
      if (this.working.has(file.name)) continue; // gone and back while its session runs
      this.pendingFiles++;
      this.pendingBytes += file.sizeBytes;
    }
    let pendingRemoved = 0;
    for (const file of changes.removed) {
      if (this.working.has(file.name)) continue; // flushed by its session: usage falls, nothing else changes
      this.pendingFiles--;
      this.pendingBytes -= file.sizeBytes;
      pendingRemoved++;
    }
    return changes.added.length > 0 || pendingRemoved > 0;
  }

  /** Files of a finished session: gone from out/ (per the listing just made) means on tape; still there means retry. */
  accountEnded({ session, outcome }: EndedArchive): SessionResult {
    const { flushed, left } = classifyFinishedFiles(session.files, (name) => this.index.get(name) !== undefined);
    for (const file of session.files) this.working.delete(file.name);
    this.workingBytes -= session.bytes;
    for (const file of left) {
      this.pendingFiles++;
      this.pendingBytes += file.sizeBytes;
    }
    this.countFlushed(flushed);
    this.counters.flushRetries += left.length;
    this.logEnd(session, outcome, flushed.length, left.length);
    if (outcome.end.kind === 'aborted') return 'killed-by-us';
    return left.length === 0 ? 'succeeded' : 'failed';
  }

  private countFlushed(flushed: readonly PoolFile[]): void {
    for (const file of flushed) {
      this.counters.flushedFiles++;
      this.counters.flushedBytes += file.sizeBytes;
      this.ctx.logger.verbose(`Archived ${file.name} (${file.sizeBytes} bytes)`);
    }
  }

  private logEnd(session: RunningArchive, outcome: DsmcOutcome, flushed: number, left: number): void {
    const { logger } = this.ctx;
    const clean = outcome.end.kind === 'exited' && outcome.end.exitCode === 0;
    const succeeded = left === 0;
    if (!succeeded || !clean) logDsmcMessages(logger, `dsmc archive (${session.description})`, outcome.messages);
    if (succeeded) {
      logger.info(`Archive session ${session.description} done: ${flushed} files flushed${clean ? '' : ` (dsmc ${describeEnd(outcome.end)})`}`);
    } else if (outcome.end.kind !== 'aborted') {
      logger.warn('dsmc_failed', `Archive session ${session.description} ${describeEnd(outcome.end)}: ${flushed} files flushed, ${left} left in out/ for retry`);
    }
  }
}
