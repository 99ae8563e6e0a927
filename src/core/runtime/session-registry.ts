import fs from 'node:fs';
import path from 'node:path';
import { readRegularFileSync } from '../regular-file.js';
import type { Lease } from '../coordination/index.js';
import { runDsmc, type DsmcOutcome, type DsmcRunRequest } from '../dsmc/run-dsmc.js';
import { errorMessage, isErrno } from '../errors.js';
import { entryKind } from '../pool/odd-entries.js';
import { writeFileAtomicSync } from '../stats/atomic-write.js';
import { findProcessesWithArg, isProcessAlive, killGroupHard, killHard, waitForExit } from './proc.js';

/** What a crash leaves behind so that the next start can find and kill the dsmc it ran. */
interface SessionRecord {
  readonly daemon: string;
  readonly listFile: string;
  readonly pid?: number;
  readonly startedMs: number;
}

interface RunningSession {
  readonly listFile: string;
  readonly recordFile: string;
  readonly controller: AbortController;
  pid: number | undefined;
  /** Settles once the session's outcome was handed to its caller (and the caller's own handlers ran). */
  settled: Promise<void>;
}

export interface SessionStart extends Omit<DsmcRunRequest, 'signal' | 'onSpawn'> {
  readonly listFile: string;
  /** The group's lease for this session: given back the moment dsmc has ended, however it ended (killed too). */
  readonly lease?: Lease;
}

export interface OrphanReport {
  readonly listFile: string;
  readonly killedPids: readonly number[];
}

/** What start-up recovery found: sessions of a previous run, and entries that only look like records (one line each, naming the entry). */
export interface OrphanRecovery {
  readonly orphans: readonly OrphanReport[];
  readonly invalid: readonly string[];
}

const RECORD_SUFFIX = '.session';

/** A list file name as the daemons make them: one plain path component. */
const LIST_NAME = /^[A-Za-z0-9._-]+$/;

export type SessionRecordName = { readonly kind: 'record'; readonly listName: string } | { readonly kind: 'other' } | { readonly kind: 'invalid'; readonly problem: string };

/**
 * `.<daemon>.<list>.session`: the record of a session of `daemon` that ran
 * `requestlists/<list>`. Names of other daemons or other files are `other`;
 * a name of this daemon whose list part is not a plain file name (empty,
 * `.`, `..`, a `/` or odd characters) is `invalid`. Pure.
 */
export function parseSessionRecordName(name: string, daemon: string): SessionRecordName {
  const prefix = `.${daemon}.`;
  if (!name.startsWith(prefix) || !name.endsWith(RECORD_SUFFIX) || name.length < prefix.length + RECORD_SUFFIX.length) return { kind: 'other' };
  const listName = name.slice(prefix.length, name.length - RECORD_SUFFIX.length);
  if (!LIST_NAME.test(listName) || listName === '.' || listName === '..') {
    return { kind: 'invalid', problem: `not a session record name (.${daemon}.<list file>.session with a plain list file name)` };
  }
  return { kind: 'record', listName };
}

/**
 * Runs a daemon's dsmc sessions and keeps, for each, a record file in
 * `requestlists/` (its list file and dsmc pid), written before dsmc starts.
 * After a crash, even a SIGKILL of the daemon, the next start finds the
 * orphaned dsmc by its `-filelist=` argument and kills it before anything
 * else runs: otherwise the same files could reach tape twice.
 */
export class SessionRegistry {
  private readonly running = new Set<RunningSession>();

  constructor(
    private readonly requestlistsDir: string,
    private readonly daemon: string,
    private readonly keepLists: () => boolean,
  ) {}

  get size(): number {
    return this.running.size;
  }

  private recordPath(listFile: string): string {
    return path.join(this.requestlistsDir, `.${this.daemon}.${path.basename(listFile)}${RECORD_SUFFIX}`);
  }

  run(start: SessionStart): Promise<DsmcOutcome> {
    const session: RunningSession = {
      listFile: start.listFile,
      recordFile: this.recordPath(start.listFile),
      controller: new AbortController(),
      pid: undefined,
      settled: Promise.resolve(),
    };
    this.writeRecord(session);
    this.running.add(session);
    const outcome = this.runRecorded(session, start);
    // Registered before the caller's handlers, so it settles after them: stopAll waits for those too.
    session.settled = outcome.then(
      () => undefined,
      () => undefined,
    );
    return outcome;
  }

  private async runRecorded(session: RunningSession, start: SessionStart): Promise<DsmcOutcome> {
    try {
      return await runDsmc({
        ...start,
        signal: session.controller.signal,
        onSpawn: (pid) => {
          session.pid = pid;
          this.writeRecord(session);
        },
      });
    } finally {
      start.lease?.release();
      this.running.delete(session);
      this.cleanup(session.listFile, session.recordFile);
    }
  }

  private writeRecord(session: RunningSession): void {
    const record: SessionRecord = {
      daemon: this.daemon,
      listFile: session.listFile,
      startedMs: Date.now(),
      ...(session.pid === undefined ? {} : { pid: session.pid }),
    };
    // A new file renamed into place: a symlink planted at the record's name is replaced, never followed.
    writeFileAtomicSync(session.recordFile, `${JSON.stringify(record)}\n`);
  }

  private cleanup(listFile: string, recordFile: string): void {
    if (!this.keepLists()) fs.rmSync(listFile, { force: true });
    fs.rmSync(recordFile, { force: true });
  }

  /** SIGKILLs every running dsmc now (synchronous: usable from an exception handler). */
  killAllNow(): number[] {
    const pids: number[] = [];
    for (const session of this.running) {
      if (session.pid !== undefined) {
        killHard(session.pid);
        pids.push(session.pid);
      }
      session.controller.abort();
    }
    return pids;
  }

  /** Kills every running session and waits until their dsmc processes are gone and lists removed. */
  async stopAll(timeoutMs: number): Promise<void> {
    const deadlineMs = Date.now() + timeoutMs;
    const sessions = [...this.running];
    const pids = this.killAllNow();
    await waitForExit(pids, timeoutMs);
    // The daemons' own bookkeeping of a killed session (e.g. the archiver's sent journal) runs before the exit.
    await settledOrTimeout(sessions.map((session) => session.settled), Math.max(0, deadlineMs - Date.now()));
    for (const session of sessions) this.cleanup(session.listFile, session.recordFile);
  }

  /**
   * Finds sessions a previous run of this daemon left behind, kills their
   * dsmc and removes their files. Entries that only look like records (a
   * crafted name, a symlink, a directory) are reported and left alone.
   */
  async recoverOrphans(timeoutMs = 10_000): Promise<OrphanRecovery> {
    const orphans: OrphanReport[] = [];
    const invalid: string[] = [];
    for (const name of fs.readdirSync(this.requestlistsDir)) {
      const parsed = parseSessionRecordName(name, this.daemon);
      if (parsed.kind === 'other') continue;
      const recordFile = path.join(this.requestlistsDir, name);
      const problem = parsed.kind === 'invalid' ? parsed.problem : recordFileProblem(recordFile);
      if (parsed.kind === 'invalid' || problem !== undefined) {
        invalid.push(`${recordFile}: ${problem}; ignored`);
        continue;
      }
      try {
        orphans.push(await this.recoverOne(recordFile, path.join(this.requestlistsDir, parsed.listName), timeoutMs));
      } catch (error) {
        invalid.push(`${recordFile}: cannot recover this session: ${errorMessage(error)}; ignored`);
      }
    }
    return { orphans, invalid };
  }

  private async recoverOne(recordFile: string, listFile: string, timeoutMs: number): Promise<OrphanReport> {
    const pids = new Set(findProcessesWithArg(`-filelist=${listFile}`));
    const record = readRecord(recordFile);
    if (record?.pid !== undefined && pids.size === 0 && isProcessAlive(record.pid) && !fs.existsSync('/proc/self')) {
      pids.add(record.pid); // No /proc to confirm with: trust the record.
    }
    for (const pid of pids) killGroupHard(pid);
    await waitForExit([...pids], timeoutMs);
    removeUnlessDirectory(listFile);
    fs.rmSync(recordFile, { force: true });
    return { listFile, killedPids: [...pids] };
  }
}

/** Why a record's name holds no record we may read (never through a symlink), if so. */
function recordFileProblem(file: string): string | undefined {
  try {
    const kind = entryKind(fs.lstatSync(file));
    return kind === 'file' ? undefined : `a ${kind}, not a session record`;
  } catch (error) {
    return errorMessage(error);
  }
}

/** Removes a list file (or a symlink in its place, not what it points to); a directory there is not ours to remove. */
function removeUnlessDirectory(file: string): void {
  try {
    if (fs.lstatSync(file).isDirectory()) throw new Error(`${file} is a directory, not a file list`);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  fs.rmSync(file, { force: true });
}

function readRecord(file: string): SessionRecord | null {
  try {
    return JSON.parse(readRegularFileSync(file, { noFollow: true, maxBytes: 64 * 1024 })) as SessionRecord;
  } catch {
    return null;
  }
}

async function settledOrTimeout(promises: readonly Promise<void>[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(promises), timeout]);
  clearTimeout(timer);
}
