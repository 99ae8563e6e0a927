// The demo's timeline: start the daemons, play dCache, wait for conditions, sum up.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listObjects, readJournal } from '../../fake-dsmc/library.js';
import { isPnfsid } from '../../core/pool/index.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes, formatFiles } from '../format-units.js';
import { readHintFile, type HintMap } from '../hint-file.js';
import { summarizeHintVolumes } from '../per-volume.js';
import { readStatsFile, statsFilePath } from '../stats-file.js';
import { DAEMON_NAMES } from '../status-daemon.js';
import { startDemoChild, type DemoChild } from './demo-children.js';
import { DcacheSide, type DcacheEvent } from './demo-dcache.js';
import { countRecallMounts, countSessions, JournalWatcher } from './demo-journal.js';
import { planTotalBytes, type DemoPlan } from './demo-plan.js';
import { demoEnv, type DemoPaths } from './demo-setup.js';
import { countDeleted, type DemoSummary } from './demo-summary.js';

const POLL_MS = 200;
/** Pause between flush waves, so that the archiver sees data arrive over time. */
const WAVE_PAUSE_MS = 1000;
export const DAEMON_PROGRAMS = ['endit-archiver', 'endit-retriever', 'endit-deleter'] as const;

/** The run ended before its last step: the deadline, a daemon that died, or a failed program. */
export class DemoStopped extends Error {
  override readonly name: string = 'DemoStopped';
}

export interface DemoRun {
  readonly paths: DemoPaths;
  readonly plan: DemoPlan;
  readonly io: CliIo;
  readonly deadlineMs: number;
  readonly abort: AbortSignal;
  readonly dcache: DcacheSide;
  readonly journal: JournalWatcher;
  readonly children: DemoChild[];
  /** A progress line, prefixed with the seconds since the start. */
  say(line: string): void;
  hints: HintMap;
}

export function createDemoRun(paths: DemoPaths, plan: DemoPlan, io: CliIo, seconds: number, abort: AbortSignal): DemoRun {
  const startMs = io.nowMs();
  const run: DemoRun = {
    paths,
    plan,
    io,
    say: (line) => io.out(`[${((io.nowMs() - startMs) / 1000).toFixed(1).padStart(5)}s] ${line}\n`),
    deadlineMs: startMs + seconds * 1000,
    abort,
    dcache: new DcacheSide({ dir: paths.dir, store: paths.store }, io.pid, () => io.nowMs()),
    journal: new JournalWatcher(paths.library),
    children: [],
    hints: new Map(),
  };
  return run;
}

function describeEvents(events: readonly DcacheEvent[], dcache: DcacheSide, planned: number): string[] {
  const lines: string[] = [];
  const flushed = events.filter((e) => e.kind === 'flushed').length;
  if (flushed > 0) lines.push(`dCache: ${formatFiles(flushed, 'flush', 'flushes')} done, request files removed (${dcache.flushed.length}/${planned} on tape)`);
  for (const event of events) {
    if (event.kind === 'recalled') lines.push(`dCache: recalled ${event.file.id} (${formatBytes(event.file.sizeBytes)}), checksum ${event.checksumOk ? 'ok' : 'WRONG'}`);
    if (event.kind === 'recall-failed') lines.push(`dCache: recall of ${event.file.id} failed, .err says: ${event.error}`);
  }
  return lines;
}

function isDaemon(program: string): boolean {
  return (DAEMON_PROGRAMS as readonly string[]).includes(program);
}

function checkChildren(run: DemoRun): void {
  const dead = run.children.find((c) => isDaemon(c.program) && c.hasExited());
  if (dead !== undefined) throw new DemoStopped(`${dead.program} exited unexpectedly:\n${dead.output().trim()}`);
}

function plannedFlushes(plan: DemoPlan): number {
  return plan.waves.reduce((sum, wave) => sum + wave.length, 0);
}

/** One polling round: the plugin's checks, the journal's news, the daemons' health. */
function tick(run: DemoRun): void {
  for (const line of describeEvents(run.dcache.poll(), run.dcache, plannedFlushes(run.plan))) run.say(line);
  for (const line of run.journal.poll(run.hints)) run.say(line);
  checkChildren(run);
}

/** Polls until `condition` holds; DemoStopped past the deadline; the abort reason on Ctrl-C. */
async function waitUntil(run: DemoRun, condition: () => boolean, what: string): Promise<void> {
  for (;;) {
    tick(run);
    if (condition()) return;
    if (run.io.nowMs() > run.deadlineMs) throw new DemoStopped(`time limit reached while waiting for ${what} (see the logs in ${run.paths.logdir})`);
    await sleep(POLL_MS, undefined, { signal: run.abort });
  }
}

async function pause(run: DemoRun, ms: number): Promise<void> {
  const until = run.io.nowMs() + ms;
  await waitUntil(run, () => run.io.nowMs() >= until, 'a pause');
}

function hexNames(dir: string): string[] {
  return fs.readdirSync(dir).filter(isPnfsid);
}

async function startDaemons(run: DemoRun): Promise<void> {
  const env = demoEnv(run.paths, run.io.env);
  for (const program of DAEMON_PROGRAMS) run.children.push(startDemoChild(program, run.paths.config, env));
  const statsFiles = DAEMON_NAMES.map((d) => statsFilePath(run.paths.statsdir, 'demo', d));
  await waitUntil(run, () => statsFiles.every((f) => fs.existsSync(f)), 'the daemons to write their first stats');
  run.say(`started ${run.children.map((c) => `${c.program} (pid ${c.pid})`).join(', ')}`);
}

async function flushAll(run: DemoRun): Promise<void> {
  for (const [index, wave] of run.plan.waves.entries()) {
    for (const file of wave) run.dcache.flush(file);
    run.say(`dCache: ${formatFiles(wave.length)} to flush (${formatBytes(planTotalBytes(wave))}): request/<id> written, hard links in out/`);
    if (index < run.plan.waves.length - 1) await pause(run, WAVE_PAUSE_MS);
  }
  await waitUntil(run, () => run.dcache.pendingFlushes === 0, 'all flushes');
  for (const file of run.dcache.flushed) run.dcache.evict(file);
  run.say(`all ${run.dcache.flushed.length} files are on tape; dCache evicts its disk copies`);
}

async function runTapehints(run: DemoRun): Promise<void> {
  const child = startDemoChild('endit-tapehints', run.paths.config, demoEnv(run.paths, run.io.env));
  run.children.push(child);
  run.say(`running endit-tapehints (pid ${child.pid})`);
  await waitUntil(run, () => child.hasExited(), 'endit-tapehints');
  const { code } = await child.exited;
  const read = readHintFile(run.paths.hintfile);
  if (code !== 0 || !read.ok) throw new DemoStopped(`endit-tapehints failed (exit ${code}): ${read.ok ? '' : read.error}\n${child.output().trim()}`);
  run.hints = read.hints;
  const volumes = summarizeHintVolumes(read.hints);
  run.say(`endit-tapehints wrote ${path.basename(run.paths.hintfile)}: ${formatFiles(read.hints.size)} on ${volumes.map((v) => `${v.volume} (${v.files})`).join(', ')}`);
}

async function recallAndRemove(run: DemoRun): Promise<void> {
  const { recalls, missing, removals } = run.plan;
  for (const file of [...recalls, missing]) run.dcache.recall(file);
  run.say(`dCache: ${formatFiles(recalls.length + 1, 'recall')} requested in request/ (one of an id that is not on tape: ${missing.id})`);
  for (const file of removals) await run.dcache.remove(file);
  run.say(`dCache: ${formatFiles(removals.length)} removed, their tape copies named in trash/`);
  await waitUntil(run, () => hexNames(path.join(run.paths.dir, 'trash')).length === 0, 'the deleter to queue the removals');
  const deleter = run.children.find((c) => c.program === 'endit-deleter');
  run.say(`the deleter queued them in trash/queue/; sending it SIGUSR1 to process the queue now`);
  deleter?.child.kill('SIGUSR1');
  const removalsGone = (): boolean => countDeleted(removals, listObjects(run.paths.library)) === removals.length;
  await waitUntil(run, () => run.dcache.pendingRecalls === 0 && removalsGone(), 'the recalls and the deletions');
}

/** Figures of a cycle after `sinceSec` with no session running: what the status table should show. */
function figuresSettled(run: DemoRun, sinceSec: number): boolean {
  return DAEMON_NAMES.every((daemon) => {
    const stats = readStatsFile(statsFilePath(run.paths.statsdir, 'demo', daemon));
    return stats.kind === 'ok' && (stats.figures[`${daemon}_time`] ?? 0) > sinceSec && stats.figures[`${daemon}_busyworkers`] === 0;
  });
}

/** The whole timeline; throws DemoStopped or the abort reason. */
export async function playDemo(run: DemoRun): Promise<void> {
  await startDaemons(run);
  await flushAll(run);
  await runTapehints(run);
  await recallAndRemove(run);
  const doneSec = Math.floor(run.io.nowMs() / 1000);
  await waitUntil(run, () => figuresSettled(run, doneSec), 'the daemons to publish their final figures');
}

/** What happened, from the plugin's records, the library and the journal. */
export function collectSummary(run: DemoRun): DemoSummary {
  const library = listObjects(run.paths.library);
  const journal = readJournal(run.paths.library);
  return {
    flushed: run.dcache.flushed,
    recalled: run.dcache.recalled,
    checksumErrors: run.dcache.checksumErrors,
    failed: run.dcache.failed,
    deleted: countDeleted(run.dcache.removed, library),
    removed: run.dcache.removed.length,
    sessions: countSessions(journal),
    recallMounts: countRecallMounts(journal, run.hints),
    library,
  };
}

/** The demo went as planned: every flush on tape, every recall back, the unknown id failed, every removal deleted. */
export function demoSucceeded(run: DemoRun, summary: DemoSummary): boolean {
  const { plan } = run;
  return (
    summary.flushed.length === plannedFlushes(plan) &&
    summary.recalled.length === plan.recalls.length &&
    summary.checksumErrors === 0 &&
    summary.failed.length === 1 &&
    summary.failed[0]?.file.id === plan.missing.id &&
    summary.deleted === plan.removals.length
  );
}

