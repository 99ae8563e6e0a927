// What every command shares while it runs: output, progress, and the gate that applies
// the scenario's delays and mid-session actions (partial, crash, hang, prompt).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ListEntry } from './file-list.js';
import { formatExistsPrompt } from './format-output.js';
import type { Invocation } from './invocation.js';
import type { JournalEndEntry, JournalMount, SessionOutcome } from './journal.js';
import { MAX_JOURNAL_IDS, appendJournal } from './journal.js';
import type { Output } from './output.js';
import type { SessionPlan } from './plan-session.js';
import type { Scenario } from './scenario.js';
import { flood, holdStdout, printLongLine } from './misbehave.js';

export interface Progress {
  done: string[];
  failed: string[];
  skipped: string[];
  /** Highest return code contributed so far. */
  rc: number;
  /** List entries (or query objects) handled so far, in order. */
  handled: number;
  transferredBytes: number;
  transferMs: number;
  inspected: number;
  inspectedBytes: number;
  /** Volumes read with the scenario's drive model, in order. */
  mounts: JournalMount[];
  /** No mount point (past the library's maxNumMp). */
  mountError?: 'ANS1312E';
}

export interface SessionContext {
  invocation: Invocation;
  scenario: Scenario;
  plan: SessionPlan;
  out: Output;
  libraryDir: string;
  journalPath: string;
  startMs: number;
  entries: ListEntry[];
  progress: Progress;
  gate: SessionGate;
  /** The child a hold-stdout session left holding its output. */
  holderPid?: number;
}

/** Thrown by the gate to end a session early with the plan's message and code. */
export class SessionStop extends Error {}

export function newProgress(): Progress {
  return { done: [], failed: [], skipped: [], rc: 0, handled: 0, transferredBytes: 0, transferMs: 0, inspected: 0, inspectedBytes: 0, mounts: [] };
}

export function raiseRc(progress: Progress, rc: number): void {
  progress.rc = Math.max(progress.rc, rc);
}

/** Sleeps `sizeBytes / bytesPerSecond` (the drive speed); no-op when unlimited. */
export async function transferDelay(ctx: SessionContext, sizeBytes: number): Promise<void> {
  const { bytesPerSecond } = ctx.plan;
  if (bytesPerSecond <= 0 || sizeBytes <= 0) return;
  ctx.out.flush(); // let a reader see progress while the "drive" works
  await sleep((sizeBytes * 1000) / bytesPerSecond);
}

/** Never resolves; the interval keeps the event loop (and so the process) alive. */
export function waitForever(): Promise<never> {
  setInterval(() => undefined, 1 << 30);
  return new Promise<never>(() => undefined);
}

const IGNORED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** A stuck dsmc: only SIGKILL ends it. Each ignored signal is journaled so tests can wait for it. */
export function ignoreTerminationSignals(journalPath: string): void {
  for (const signal of IGNORED_SIGNALS) {
    process.on(signal, () => {
      appendJournal(journalPath, { event: 'signal', timeMs: Date.now(), pid: process.pid, signal, ignored: true });
    });
  }
}

function limitIds(ids: string[]): string[] | undefined {
  return ids.length > MAX_JOURNAL_IDS ? undefined : ids;
}

/** Entries never reached count as failed, so done + failed + skipped covers the list. */
function unreachedIds(ctx: SessionContext): string[] {
  return ctx.entries.slice(ctx.progress.handled).map((entry) => entry.id);
}

export function planOutcome(progress: Progress, action: SessionPlan['action'], failedCount: number): SessionOutcome {
  if (action === 'fail') return 'failed';
  if (action === 'partial') return 'partial';
  if (failedCount === 0 && progress.skipped.length === 0) return 'ok';
  return progress.done.length > 0 ? 'partial' : 'failed';
}

export function buildEndEntry(ctx: SessionContext, rc: number | null, outcome?: SessionOutcome, signal?: string): JournalEndEntry {
  const failed = [...ctx.progress.failed, ...unreachedIds(ctx)];
  const entry: JournalEndEntry = {
    event: 'end',
    timeMs: Date.now(),
    pid: process.pid,
    command: ctx.invocation.command,
    rc,
    outcome: outcome ?? planOutcome(ctx.progress, ctx.plan.action, failed.length),
  };
  if (signal !== undefined) entry.signal = signal;
  if (ctx.holderPid !== undefined) entry.holderPid = ctx.holderPid;
  const done = limitIds(ctx.progress.done);
  const failedIds = limitIds(failed);
  if (done !== undefined) entry.done = done;
  if (failedIds !== undefined) entry.failed = failedIds;
  if (ctx.progress.skipped.length > 0) {
    const skipped = limitIds(ctx.progress.skipped);
    if (skipped !== undefined) entry.skipped = skipped;
  }
  if (ctx.progress.mounts.length > 0) entry.mounts = ctx.progress.mounts;
  if (ctx.progress.mountError !== undefined) entry.mountError = ctx.progress.mountError;
  return entry;
}

async function crash(ctx: SessionContext): Promise<never> {
  ctx.out.flush();
  appendJournal(ctx.journalPath, buildEndEntry(ctx, null, 'crashed', ctx.plan.signal));
  // a core dump, if the system writes one, lands in the library, not in the caller's cwd
  process.chdir(ctx.libraryDir);
  process.kill(process.pid, ctx.plan.signal);
  // signals Node handles itself (SIGUSR1 starts the inspector) must still end the process
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
  return waitForever();
}

async function hang(ctx: SessionContext): Promise<never> {
  ctx.out.flush();
  return waitForever();
}

/** Prints dsmc's "file exists" prompt and waits for an answer that never comes. */
export async function promptForever(ctx: SessionContext, promptPath: string): Promise<never> {
  const lines = formatExistsPrompt(promptPath);
  ctx.out.lines(lines.slice(0, -1));
  ctx.out.raw(lines.at(-1) ?? '');
  ctx.out.flush();
  return waitForever(); // stdin is never read: EOF changes nothing
}

/** Applies the scenario between files: the mount delay first, then the rule's action. */
export class SessionGate {
  private mounted = false;
  private struck = false;

  constructor(private readonly ctxRef: () => SessionContext) {}

  /**
   * Call before each file with the number handled so far, and once more after the last
   * (`isEnd`): an action whose afterFiles exceeds the list strikes there.
   */
  async checkpoint(handled: number, promptPath: string, isEnd = false): Promise<void> {
    const ctx = this.ctxRef();
    if (!this.mounted) {
      this.mounted = true;
      ctx.out.flush();
      if (ctx.plan.mountDelayMs > 0) await sleep(ctx.plan.mountDelayMs);
    }
    const afterFiles = ctx.plan.afterFiles ?? 0;
    if (this.struck) return;
    if (handled === afterFiles || (isEnd && afterFiles > handled)) {
      this.struck = true;
      await this.strike(ctx, promptPath);
    }
  }

  private async strike(ctx: SessionContext, promptPath: string): Promise<void> {
    switch (ctx.plan.action) {
      case 'hold-stdout':
        return holdStdout(ctx);
      case 'long-line':
        return printLongLine(ctx);
      case 'flood':
        return flood(ctx);
      case 'partial':
        throw new SessionStop();
      case 'crash':
        return crash(ctx);
      case 'hang':
        return hang(ctx);
      case 'prompt':
        return promptForever(ctx, promptPath);
      default:
        return;
    }
  }
}
