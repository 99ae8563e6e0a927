import fs from 'node:fs';
import path from 'node:path';
import { runDsmc, type DsmcOutcome, type DsmcRunRequest } from '../dsmc/run-dsmc.js';
import { findProcessesWithArg, isProcessAlive, killHard, waitForExit } from './proc.js';

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
}

export interface SessionStart extends Omit<DsmcRunRequest, 'signal' | 'onSpawn'> {
  readonly listFile: string;
}

export interface OrphanReport {
  readonly listFile: string;
  readonly killedPids: readonly number[];
}

const RECORD_SUFFIX = '.session';

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

  async run(start: SessionStart): Promise<DsmcOutcome> {
    const session: RunningSession = {
      listFile: start.listFile,
      recordFile: this.recordPath(start.listFile),
      controller: new AbortController(),
      pid: undefined,
    };
    this.writeRecord(session);
    this.running.add(session);
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
    fs.writeFileSync(session.recordFile, `${JSON.stringify(record)}\n`);
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
    const sessions = [...this.running];
    const pids = this.killAllNow();
    await waitForExit(pids, timeoutMs);
    for (const session of sessions) this.cleanup(session.listFile, session.recordFile);
  }

  /** Finds sessions a previous run of this daemon left behind, kills their dsmc and removes their files. */
  async recoverOrphans(timeoutMs = 10_000): Promise<OrphanReport[]> {
    const reports: OrphanReport[] = [];
    const prefix = `.${this.daemon}.`;
    for (const name of fs.readdirSync(this.requestlistsDir)) {
      if (!name.startsWith(prefix) || !name.endsWith(RECORD_SUFFIX)) continue;
      const recordFile = path.join(this.requestlistsDir, name);
      const listFile = path.join(this.requestlistsDir, name.slice(prefix.length, -RECORD_SUFFIX.length));
      const pids = new Set(findProcessesWithArg(`-filelist=${listFile}`));
      const record = readRecord(recordFile);
      if (record?.pid !== undefined && pids.size === 0 && isProcessAlive(record.pid) && !fs.existsSync('/proc/self')) {
        pids.add(record.pid); // No /proc to confirm with: trust the record.
      }
      for (const pid of pids) killHard(pid);
      await waitForExit([...pids], timeoutMs);
      fs.rmSync(listFile, { force: true });
      fs.rmSync(recordFile, { force: true });
      reports.push({ listFile, killedPids: [...pids] });
    }
    return reports;
  }
}

function readRecord(file: string): SessionRecord | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SessionRecord;
  } catch {
    return null;
  }
}
