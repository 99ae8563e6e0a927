import { coordinatorOf, type DaemonContext } from '../core/runtime/index.js';
import { CompactNameSet, type DirChanges, type DirIndex, type PoolFiles } from '../core/pool/index.js';
import { archiveArgs, describeEnd, dsmcPidOf, exitCodeOf, logDsmcMessages, logDsmcOutputLimits, MAX_LOGGED_MESSAGES, type DsmcMessage, type DsmcOutcome, type LineClass } from '../core/dsmc/index.js';
import { errorMessage } from '../core/errors.js';
import { writeArchiveList } from './archive-list.js';
import { classifyEndedFiles, ENDED_FLUSHED, ENDED_LEFT, ENDED_SENT_STILL_IN_OUT, NOT_REMOVED_MARK, SENT_MARK } from './cycle-work.js';
import type { ArchiverCounters } from './figures-of.js';
import type { PlannedArchiveSession } from './policy.js';
import { parseNotRemovedName, parseSentName } from './sent-lines.js';
import { SessionJournal, statIdentity } from './sent-journal.js';
import type { RemovedFile, SentFiles } from './sent-files.js';

interface RunningArchive {
  readonly files: PoolFiles;
  readonly bytes: number;
  readonly description: string;
  /** What dsmc reported sent, on disk for a restart; null when it could not be created (logged). */
  readonly journal: SessionJournal | null;
  /** dsmc's could-not-remove messages kept for the log; one per file of a million-file list would not be. */
  notRemovedMessages: number;
  /** Files journaled as sent and not removable: they make the journal worth keeping if dsmc is killed. */
  notRemovedRecords: number;
  /** For the session history: files dsmc reported sent (`[Sent]`), and their bytes. */
  sentFiles: number;
  sentBytes: number;
  readonly startedMs: number;
  readonly reason: string;
}

/** What became of the files of an ended session that were still in out/. */
interface SentStillInOutTally {
  /** On tape and removed by the archiver (dsmc could not). */
  removedByUs: number;
  held: number;
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
  /** SENT_MARK / NOT_REMOVED_MARK per working-set id. */
  private marks = new Uint8Array(0);
  private workingBytes = 0;
  private pendingFiles = 0;
  private pendingBytes = 0;
  readonly counters: ArchiverCounters = { flushedBytes: 0, flushedFiles: 0, flushRetries: 0, sessions: 0 };

  constructor(
    private readonly ctx: DaemonContext,
    private readonly index: DirIndex,
    private readonly sent: SentFiles,
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

  /**
   * Writes the list and starts dsmc; the files leave the pending totals for
   * the working set. False when the group has no lease for it now (it waits).
   */
  async start(plan: PlannedArchiveSession): Promise<boolean> {
    const { pool, logger, config, sessions } = this.ctx;
    const values = config.current.values;
    const lease = await coordinatorOf(this.ctx).acquire({ kind: 'archive' });
    if (lease === null) return false;
    const listFile = await writeArchiveList(pool.requestlists, 'tsm-archive-files', pool.out, plan.files).catch((error: unknown) => {
      lease.release();
      throw error;
    });
    const journal = SessionJournal.create(pool.requestlists, listFile, (message) => logger.error('sent_journal_failed', `archive session ${plan.description}: ${message}`));
    const id = this.nextSessionId++;
    const session: RunningArchive = {
      files: plan.files, bytes: plan.bytes, description: plan.description, journal, notRemovedMessages: 0, notRemovedRecords: 0,
      sentFiles: 0, sentBytes: 0, startedMs: this.ctx.nowMs(), reason: plan.reason,
    };
    this.running.set(id, session);
    logger.info(`Starting archive session ${plan.description}: ${plan.files.length} files, ${plan.bytes} bytes (${plan.reason})`);
    const outcome = sessions.run({
      executable: values.dsmc_executable,
      args: archiveArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, plan.description, listFile),
      cpuLimitSec: values.dsmc_cpulimit,
      listFile,
      lease,
      onLine: (line, cls) => this.onLine(session, line, cls),
      keepMessage: (message) => this.keepMessage(session, message),
    });
    // dsmc is spawned already (run() spawns synchronously); a million names take a moment to note.
    this.working.reserve(plan.files.length);
    for (let i = 0; i < plan.files.length; i++) this.addWorking(plan.files.name(i));
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
    return true;
  }

  private addWorking(name: string): void {
    const id = this.working.add(name);
    if (id >= this.marks.length) {
      const bigger = new Uint8Array(Math.max(id + 1, this.marks.length * 2, 1024));
      bigger.set(this.marks);
      this.marks = bigger;
    }
    this.marks[id] = 0;
  }

  /** Notes `[Sent]` lines (journaled with the file's identity) and dsmc saying it could not remove a file. */
  private onLine(session: RunningArchive, line: string, cls: LineClass): void {
    const out = this.ctx.pool.out;
    if (cls.kind === 'message') {
      const name = parseNotRemovedName(cls.message, out);
      if (name === null || !this.mark(name, NOT_REMOVED_MARK)) return;
      session.journal?.notRemoved(name);
      session.notRemovedRecords++;
      return;
    }
    const name = cls.kind === 'other' ? parseSentName(line, out) : null;
    if (name === null || !this.mark(name, SENT_MARK)) return;
    // Usually still there: dsmc removes files once the server committed them.
    const identity = statIdentity(out, name);
    if (identity !== null) session.journal?.sent({ name, identity });
    session.sentFiles++;
    session.sentBytes += identity?.sizeBytes ?? this.index.get(name)?.sizeBytes ?? 0;
  }

  /** Sets a mark on a name in a running list; false when it is in none or had the mark already. */
  private mark(name: string, bit: number): boolean {
    const id = this.working.idOf(name);
    if (id < 0 || ((this.marks[id] as number) & bit) !== 0) return false;
    this.marks[id] = (this.marks[id] as number) | bit;
    return true;
  }

  private keepMessage(session: RunningArchive, message: DsmcMessage): boolean {
    if (parseNotRemovedName(message, this.ctx.pool.out) === null) return true;
    return ++session.notRemovedMessages <= MAX_LOGGED_MESSAGES;
  }

  private finish(id: number, outcome: DsmcOutcome): void {
    const session = this.running.get(id);
    if (session === undefined) return;
    this.counters.sessions++;
    this.ctx.history.record({
      volume: null,
      pid: dsmcPidOf(outcome),
      startMs: session.startedMs,
      endMs: this.ctx.nowMs(),
      files: session.sentFiles,
      bytes: session.sentBytes,
      failed: session.files.length - session.sentFiles,
      rc: exitCodeOf(outcome.end),
      reason: session.reason,
      followOn: false,
    });
    if (outcome.end.kind === 'exited') session.journal?.exited();
    session.journal?.close();
    // Killed, and dsmc confirmed nothing: a restart would find nothing in it (a stop leaves requestlists/ clean).
    if (outcome.end.kind !== 'exited' && session.notRemovedRecords === 0) session.journal?.remove();
    this.running.delete(id);
    this.ended.push({ session, outcome });
    this.ctx.wake();
  }

  /** Brings the pending totals up to date with what a listing found; says whether the policy should look. */
  applyChanges(changes: DirChanges): boolean {
    const held = this.sent.heldNames;
    const { added, removed } = changes;
    for (let i = 0; i < added.length; i++) {
      const name = added.name(i);
      if (this.working.has(name) || held.has(name)) continue; // gone and back while its session runs; held
      this.pendingFiles++;
      this.pendingBytes += added.sizeBytes(i);
    }
    let pendingRemoved = 0;
    for (let i = 0; i < removed.length; i++) {
      const name = removed.name(i);
      if (this.working.has(name)) continue; // flushed by its session: usage falls, nothing else changes
      if (held.has(name)) {
        this.sent.forget(name); // someone removed a held file
        continue;
      }
      this.pendingFiles--;
      this.pendingBytes -= removed.sizeBytes(i);
      pendingRemoved++;
    }
    return changes.added.length > 0 || pendingRemoved > 0;
  }

  /**
   * Files of a finished session (per the listing just made): gone from out/
   * means on tape; still there but confirmed sent means on tape too, and the
   * archiver removes or holds it (fault: -deletefiles failing must not make a
   * copy per retry); otherwise retry.
   */
  accountEnded({ session, outcome }: EndedArchive): SessionResult {
    const { files } = session;
    const classes = classifyEndedFiles(files, {
      stillInOut: (name) => this.index.has(name),
      marksOf: (name) => this.marks[this.working.idOf(name)] ?? 0,
      exited: outcome.end.kind === 'exited',
    });
    // A name is in one running list at most (the policy takes only pending files): when the working set is as large
    // as this list, it is this list (the last session of a backlog), emptied at once.
    if (this.working.size === files.length) this.working.clear();
    else for (let i = 0; i < files.length; i++) this.working.delete(files.name(i));
    this.workingBytes -= session.bytes;
    const left = this.leaveForRetry(files, classes);
    const { tally, alsoFlushed } = this.settleSent(files, classes);
    if (session.journal?.removed === false) this.sent.journalSettled(session.journal.file);
    let flushed = alsoFlushed.length;
    for (let i = 0; i < files.length; i++) {
      if (classes[i] !== ENDED_FLUSHED) continue;
      this.countFlushedFile(files.name(i), files.sizeBytes(i));
      flushed++;
    }
    for (const file of alsoFlushed) this.countFlushedFile(file.name, file.sizeBytes);
    this.counters.flushRetries += left;
    this.logEnd(session, outcome, { flushed, left, ...tally });
    if (outcome.end.kind === 'aborted') return 'killed-by-us';
    return left === 0 ? 'succeeded' : 'failed';
  }

  /** Files of an ended session left in out/ for a retry go back to the pending totals; returns how many. */
  private leaveForRetry(files: PoolFiles, classes: Uint8Array): number {
    let left = 0;
    for (let i = 0; i < files.length; i++) {
      if (classes[i] !== ENDED_LEFT) continue;
      left++;
      this.pendingFiles++;
      this.pendingBytes += files.sizeBytes(i);
    }
    return left;
  }

  /** Removes (or holds) the sent files still in out/ (ENDED_SENT_STILL_IN_OUT); returns those that left out/ (flushed). The index forgets them either way. */
  private settleSent(files: PoolFiles, classes: Uint8Array): { tally: SentStillInOutTally; alsoFlushed: RemovedFile[] } {
    const tally: SentStillInOutTally = { removedByUs: 0, held: 0 };
    const alsoFlushed: RemovedFile[] = [];
    for (let i = 0; i < files.length; i++) {
      if (classes[i] !== ENDED_SENT_STILL_IN_OUT) continue;
      const file = files.file(i);
      const result = this.sent.settle(file.name, file);
      if (result.kind === 'held') {
        tally.held++;
        continue;
      }
      // Removed by us, gone, or another file now (which the next listing finds as new): the sent one is on tape.
      this.index.forget(file.name);
      alsoFlushed.push(file);
      if (result.kind === 'removed') tally.removedByUs++;
    }
    this.sent.endRound();
    return { tally, alsoFlushed };
  }

  /** Files the archiver removed outside a session's end (start-up, held files retried); the index forgets them. */
  countRemoved(files: readonly RemovedFile[]): void {
    for (const file of files) {
      this.index.forget(file.name);
      this.countFlushedFile(file.name, file.sizeBytes);
    }
  }

  private countFlushedFile(name: string, sizeBytes: number): void {
    this.counters.flushedFiles++;
    this.counters.flushedBytes += sizeBytes;
    this.ctx.logger.verbose(`Archived ${name} (${sizeBytes} bytes)`);
  }

  private logEnd(session: RunningArchive, outcome: DsmcOutcome, count: { flushed: number; left: number } & SentStillInOutTally): void {
    const { logger } = this.ctx;
    const clean = outcome.end.kind === 'exited' && outcome.end.exitCode === 0;
    const succeeded = count.left === 0;
    if (!succeeded || !clean) logDsmcMessages(logger, `dsmc archive (${session.description})`, outcome.messages);
    logDsmcOutputLimits(logger, `dsmc archive (${session.description})`, outcome);
    const removed = count.removedByUs > 0 ? `, ${count.removedByUs} of them removed by the archiver (dsmc could not)` : '';
    const held = count.held > 0 ? `, ${count.held} archived but held in out/ (nobody could remove them)` : '';
    if (succeeded) {
      logger.info(`Archive session ${session.description} done: ${count.flushed} files flushed${removed}${held}${clean ? '' : ` (dsmc ${describeEnd(outcome.end)})`}`);
    } else if (outcome.end.kind !== 'aborted') {
      logger.warn('dsmc_failed', `Archive session ${session.description} ${describeEnd(outcome.end)}: ${count.flushed} files flushed${removed}${held}, ${count.left} left in out/ for retry`);
    }
  }
}
