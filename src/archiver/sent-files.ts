import fs from 'node:fs';
import type { DaemonContext } from '../core/runtime/index.js';
import { errorMessage, isErrno } from '../core/errors.js';
import { HeldFiles } from './held-files.js';
import { heldJournalPath, listSessionJournals, readConfirmedSent, statIdentity, writeHeldJournal, type FileIdentity, type SentRecord } from './sent-journal.js';

/** Held files logged one by one per round (a session's end, the start-up); the rest in one line. */
const MAX_LOGGED_HOLDS = 50;

/** What became of a file dsmc archived that was still in out/ afterwards. */
export type SettleResult =
  /** The archiver removed it: it is on tape, and now out of out/. */
  | { readonly kind: 'removed'; readonly sizeBytes: number }
  /** Gone meanwhile. */
  | { readonly kind: 'gone' }
  /** Another file of that name is there now: it is new work. */
  | { readonly kind: 'replaced' }
  /** It cannot be removed: held, never archived again. */
  | { readonly kind: 'held' };

/** The file dsmc sent, as far as it is known: the index knows size and mtime, a journal also the inode. */
export type SentFile = Pick<FileIdentity, 'sizeBytes' | 'mtimeMs'> & { readonly ino?: number };

export interface RemovedFile {
  readonly name: string;
  readonly sizeBytes: number;
}

function isSameFile(current: FileIdentity, sent: SentFile): boolean {
  return current.sizeBytes === sent.sizeBytes && current.mtimeMs === sent.mtimeMs && (sent.ino === undefined || current.ino === sent.ino);
}

/**
 * Files that dsmc reported archived but that are still in out/ (its
 * -deletefiles failed: ANS4007E, a read-only mount, permissions). They are
 * never archived again: the archiver removes them itself, or, when it cannot
 * either, holds them with one error each (`archive_not_deleted`) and tries
 * again now and then. Held files are journaled in requestlists/, so a
 * restart holds them too; a file of the same name but another identity is
 * a new file and is archived.
 */
export class SentFiles {
  private readonly held = new HeldFiles();
  private heldChanged = false;
  /** Journals of ended sessions, removed once the held journal is written. */
  private settledJournals: string[] = [];
  private holdsLogged = 0;
  private holdsNotLogged = 0;
  private lastJournalError = '';

  constructor(private readonly ctx: DaemonContext) {}

  /** Held files, for the pending totals and the policy: they are not pending. */
  get heldNames(): Pick<HeldFiles, 'has' | 'size'> {
    return this.held;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** A file dsmc confirmed it archived that is still in out/: removes it, or holds it. */
  settle(name: string, sent: SentFile): SettleResult {
    const out = this.ctx.pool.out;
    const current = statIdentity(out, name);
    if (current === null) return { kind: 'gone' };
    if (!isSameFile(current, sent)) return { kind: 'replaced' };
    try {
      fs.unlinkSync(`${out}/${name}`);
      return { kind: 'removed', sizeBytes: current.sizeBytes };
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { kind: 'gone' };
      this.hold({ name, identity: current }, errorMessage(error));
      return { kind: 'held' };
    }
  }

  private hold(record: SentRecord, why: string): void {
    if (!this.held.hold(record)) return;
    this.heldChanged = true;
    if (this.holdsLogged >= MAX_LOGGED_HOLDS) {
      this.holdsNotLogged++;
      return;
    }
    this.holdsLogged++;
    this.ctx.logger.error(
      'archive_not_deleted',
      `${this.ctx.pool.out}/${record.name}: dsmc archived it but could not remove it, nor can the archiver (${why}); held in out/, never archived again`,
    );
  }

  /** Ends a round of holds: one line for the files not logged one by one. */
  endRound(): void {
    if (this.holdsNotLogged > 0) {
      this.ctx.logger.error('archive_not_deleted', `${this.holdsNotLogged} more files in out/ that dsmc archived but nobody could remove: held`);
    }
    this.holdsLogged = 0;
    this.holdsNotLogged = 0;
  }

  /** A listing found a held file gone from out/. */
  forget(name: string): void {
    if (this.held.release(name)) this.heldChanged = true;
  }

  /**
   * Tries the held files again (permissions fixed?): removed ones and those
   * gone or replaced are let go. Returns them; the index must forget them.
   */
  recheck(): { removed: RemovedFile[]; released: string[] } {
    const removed: RemovedFile[] = [];
    const released: string[] = [];
    for (const { name, identity } of this.held.records()) {
      const result = this.settle(name, identity);
      if (result.kind === 'held') continue;
      this.forget(name);
      released.push(name);
      if (result.kind === 'removed') removed.push({ name, sizeBytes: result.sizeBytes });
    }
    return { removed, released };
  }

  /** A session's journal, no longer needed once what it says is settled and the held journal written. */
  journalSettled(file: string): void {
    this.settledJournals.push(file);
  }

  /**
   * At start: files that earlier runs journaled as archived (sessions a crash
   * left unsettled, and the held files) are removed or held again. Returns
   * those removed.
   */
  recover(): RemovedFile[] {
    const held = heldJournalPath(this.ctx.pool.requestlists);
    const sessions = listSessionJournals(this.ctx.pool.requestlists);
    const removed: RemovedFile[] = [];
    let read = 0;
    for (const file of [held, ...sessions]) {
      try {
        for (const { name, identity } of readConfirmedSent(file)) {
          if (file === held) read++;
          if (this.held.has(name)) continue;
          const result = this.settle(name, identity);
          if (result.kind === 'removed') removed.push({ name, sizeBytes: result.sizeBytes });
        }
        if (file !== held) this.journalSettled(file);
      } catch (error) {
        this.ctx.logger.error('sent_journal_failed', `cannot read ${file}: ${errorMessage(error)}; files it lists may be archived again`);
      }
    }
    this.endRound();
    // Rewritten only when it says something else now: a start with nothing to settle stays quick.
    this.heldChanged = sessions.length > 0 || this.held.size !== read;
    return removed;
  }

  /** Writes the held journal if it changed, then removes the journals of settled sessions. */
  async persist(): Promise<void> {
    const file = heldJournalPath(this.ctx.pool.requestlists);
    try {
      if (this.heldChanged) {
        this.heldChanged = false;
        if (this.held.size > 0) await writeHeldJournal(file, this.held.records());
        else fs.rmSync(file, { force: true });
      }
      for (const journal of this.settledJournals.splice(0)) fs.rmSync(journal, { force: true });
      this.lastJournalError = '';
    } catch (error) {
      this.heldChanged = true;
      const message = errorMessage(error);
      if (message !== this.lastJournalError) this.ctx.logger.error('sent_journal_failed', `cannot record the held files in ${file}: ${message}`);
      this.lastJournalError = message;
    }
  }
}
