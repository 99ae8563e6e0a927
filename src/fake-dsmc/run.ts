// One fake dsmc session from argv to return code: environment, scenario, journal,
// banner, the command, the summary. Commands live in *-command.ts.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { runArchive, summarizeArchive } from './archive-command.js';
import { runDelete, summarizeDelete } from './delete-command.js';
import type { ListEntry } from './file-list.js';
import { readFileList } from './file-list.js';
import { formatBanner } from './format-output.js';
import type { Invocation } from './invocation.js';
import { parseInvocation } from './invocation.js';
import type { JournalStartEntry } from './journal.js';
import { JOURNAL_FILE, MAX_JOURNAL_IDS, appendJournal, countStarts } from './journal.js';
import { ensureLibrary } from './library.js';
import { withLock } from './lock.js';
import { Output } from './output.js';
import type { SessionPlan } from './plan-session.js';
import { needsStartCounts, planSession } from './plan-session.js';
import { runQuery } from './query-command.js';
import { runRetrieve, summarizeRetrieve } from './retrieve-command.js';
import type { Scenario } from './scenario.js';
import { ScenarioError, readScenario } from './scenario.js';
import type { SessionContext } from './session.js';
import { SessionGate, SessionStop, buildEndEntry, ignoreTerminationSignals, newProgress, waitForever } from './session.js';
import { errorMessage } from '../core/errors.js';

const RC_ERROR = 12;

const FUNCTION_LINES: Record<Invocation['command'], string | undefined> = {
  archive: 'Archive function invoked.',
  retrieve: 'Retrieve function invoked.',
  delete: 'Delete Archive function invoked.',
  query: undefined,
};

interface Environment {
  libraryDir: string;
  journalPath: string;
  scenario: Scenario;
}

/** Library, journal and scenario from the environment, or the rc to exit with. */
function openEnvironment(env: NodeJS.ProcessEnv, out: Output): Environment | number {
  const library = env['FAKE_DSMC_LIBRARY'];
  let libraryDir: string;
  try {
    if (library === undefined || library === '') throw new Error('FAKE_DSMC_LIBRARY is not set');
    libraryDir = resolve(library);
    ensureLibrary(libraryDir);
  } catch {
    // no library is what a client without a server sees
    out.message('ANS1017E Session rejected: TCP/IP connection failure');
    return RC_ERROR;
  }
  try {
    const scenario = readScenario(env['FAKE_DSMC_SCENARIO']);
    const journal = env['FAKE_DSMC_JOURNAL'];
    return { libraryDir, scenario, journalPath: journal === undefined || journal === '' ? join(libraryDir, JOURNAL_FILE) : resolve(journal) };
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    out.error(`fake-dsmc: scenario ${env['FAKE_DSMC_SCENARIO'] ?? ''}: ${error.message}`);
    return RC_ERROR;
  }
}

function rejectInvocation(environment: Environment, argv: readonly string[], message: string, out: Output): number {
  const timeMs = Date.now();
  const common = { timeMs, pid: process.pid, command: 'unknown' as const };
  appendJournal(environment.journalPath, { event: 'start', ...common, spawnedMs: spawnedMs(), argv: [...argv], action: 'normal' });
  out.message(message);
  appendJournal(environment.journalPath, { event: 'end', ...common, rc: RC_ERROR, outcome: 'failed', done: [], failed: [] });
  return RC_ERROR;
}

/** When this process began, in epoch milliseconds. */
function spawnedMs(): number {
  return Math.round(performance.timeOrigin);
}

function listFileOf(invocation: Invocation): string | undefined {
  return invocation.command === 'query' ? undefined : invocation.listFile;
}

function buildStartEntry(invocation: Invocation, argv: readonly string[], plan: SessionPlan, entries: ListEntry[]): JournalStartEntry {
  // spawnedMs after the fields START_PREFIX (journal.ts) reads a count of sessions by.
  const entry: JournalStartEntry = { event: 'start', timeMs: Date.now(), pid: process.pid, command: invocation.command, argv: [...argv], action: plan.action, spawnedMs: spawnedMs() };
  const listFile = listFileOf(invocation);
  if (listFile !== undefined) {
    entry.listFile = listFile;
    entry.listLength = entries.length;
    if (entries.length <= MAX_JOURNAL_IDS) entry.ids = entries.map((item) => item.id);
  }
  if (invocation.command === 'archive' && invocation.description !== undefined) entry.description = invocation.description;
  if (invocation.command === 'retrieve') entry.destDir = invocation.destDir;
  if (invocation.command === 'query') entry.pattern = invocation.pattern;
  return entry;
}

/** Picks the rule and writes the start entry; under the lock when `times` needs a count. */
function startSession(environment: Environment, invocation: Invocation, argv: readonly string[], entries: ListEntry[]): SessionPlan {
  const { scenario, journalPath, libraryDir } = environment;
  const begin = (counts: Map<string, number>): SessionPlan => {
    const plan = planSession(scenario, invocation.command, counts);
    appendJournal(journalPath, buildStartEntry(invocation, argv, plan, entries));
    return plan;
  };
  if (!needsStartCounts(scenario)) return begin(new Map());
  return withLock(libraryDir, () => begin(countStarts(journalPath)));
}

function printBanner(out: Output, invocation: Invocation, startMs: number): void {
  const info = { nowMs: startMs, nodeName: hostname().split('.')[0]?.toUpperCase() ?? 'NODE', serverName: 'FAKETSM', display: invocation.display };
  out.lines(formatBanner(invocation.asNode === undefined ? info : { ...info, asNode: invocation.asNode }));
}

async function runCommand(ctx: SessionContext): Promise<string[]> {
  switch (ctx.invocation.command) {
    case 'archive':
      await runArchive(ctx);
      return summarizeArchive(ctx);
    case 'retrieve':
      mkdirSync(ctx.invocation.destDir, { recursive: true });
      await runRetrieve(ctx);
      return summarizeRetrieve(ctx);
    case 'delete': {
      const state = await runDelete(ctx);
      return summarizeDelete(ctx, state.deletedObjects);
    }
    case 'query':
      await runQuery(ctx);
      return [];
  }
}

function summaryAfterStop(ctx: SessionContext): string[] {
  switch (ctx.invocation.command) {
    case 'archive':
      return summarizeArchive(ctx);
    case 'retrieve':
      return summarizeRetrieve(ctx);
    case 'delete':
      return summarizeDelete(ctx, ctx.progress.done.length);
    case 'query':
      return [];
  }
}

/** Runs the command; a scenario stop or an unexpected error still ends the session cleanly. */
async function runBody(ctx: SessionContext): Promise<number> {
  const functionLine = FUNCTION_LINES[ctx.invocation.command];
  if (functionLine !== undefined) ctx.out.lines([functionLine, '']);
  try {
    ctx.out.lines(await runCommand(ctx));
    return ctx.progress.rc;
  } catch (error) {
    if (error instanceof SessionStop) {
      ctx.out.message(ctx.plan.message);
      ctx.out.lines(summaryAfterStop(ctx));
      return ctx.plan.rc;
    }
    ctx.out.message(`ANS9999E fake-dsmc: ${errorMessage(error)}`);
    return RC_ERROR;
  }
}

async function runSession(ctx: SessionContext): Promise<number> {
  if (ctx.plan.ignoreSignals) ignoreTerminationSignals(ctx.journalPath);
  printBanner(ctx.out, ctx.invocation, ctx.startMs);
  if (ctx.plan.action === 'fail') {
    ctx.out.message(ctx.plan.message);
    return ctx.plan.rc;
  }
  if (ctx.plan.action === 'hang' && ctx.plan.afterFiles === undefined) {
    ctx.out.flush();
    return waitForever();
  }
  return runBody(ctx);
}

function readEntries(invocation: Invocation): ListEntry[] | string {
  const listFile = listFileOf(invocation);
  if (listFile === undefined) return [];
  try {
    return readFileList(listFile);
  } catch {
    return `ANS1107E Invalid option/value: '-filelist=${listFile}'`;
  }
}

/** Runs one invocation and returns its exit code (hang and prompt never return). */
export async function runFakeDsmc(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const startMs = Date.now();
  const bootOut = new Output('stderr');
  const environment = openEnvironment(env, bootOut);
  bootOut.flush();
  if (typeof environment === 'number') return environment;
  const out = new Output(environment.scenario.messagesOn);
  const parsed = parseInvocation(argv);
  const entries = parsed.ok ? readEntries(parsed.invocation) : [];
  const rejection = !parsed.ok ? parsed.message : typeof entries === 'string' ? entries : undefined;
  if (!parsed.ok || typeof entries === 'string') {
    const rc = rejectInvocation(environment, argv, rejection ?? '', out);
    out.flush();
    return rc;
  }
  const plan = startSession(environment, parsed.invocation, argv, entries);
  const ctx: SessionContext = {
    invocation: parsed.invocation,
    scenario: environment.scenario,
    plan,
    out,
    libraryDir: environment.libraryDir,
    journalPath: environment.journalPath,
    startMs,
    entries,
    progress: newProgress(),
    gate: new SessionGate(() => ctx),
  };
  const rc = await runSession(ctx);
  out.flush();
  appendJournal(ctx.journalPath, buildEndEntry(ctx, rc));
  return rc;
}
