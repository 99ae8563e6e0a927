/**
 * One seed of bench:tape against the real daemon: the trace's files put
 * into the fake's library at their tape positions, the hint file made by
 * `endit-tapehints`, the real `endit-retriever` started with the scaled
 * configuration, the trace replayed as dCache would, and the fake's journal
 * read back into the simulator's figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { isErrno } from '../../core/errors.js';
import { idleUnloads, type LibrarySpec, type UnloadEvent } from '../../tape-model/drive-model.js';
import type { TraceRequest } from '../../tape-model/trace.js';
import { DRIVES_FILE, parseDrivesState } from '../../fake-dsmc/drive-state.js';
import { readJournal, seedObjects } from '../../fake-dsmc/library.js';
import { parseLibraryScenario } from '../../fake-dsmc/scenario-library.js';
import { readStats, startDaemon, waitFor } from '../daemon-process.js';
import { ENDIT } from '../implementation.js';
import { HSM, REPO_ROOT, type BenchPool } from '../workspace.js';
import { parseRetrieverLog, planStartDelaysMs, type RetrieverLogFacts } from './retriever-log.js';
import { planRealMs, planReplayRequests, planSimMs, runReplay, type ReplayClock, type ReplayObservation } from './replay.js';
import type { TapeLayout } from './tape-layout.js';
import { planShiftedJournal, summarizeRealRun, unendedRetrievePids, type RealRunSummary } from './tape-metrics.js';

export interface RealRunSetup {
  readonly trace: readonly TraceRequest[];
  readonly layout: TapeLayout;
  /** The fake's `library` scenario (tape-sim.ts). */
  readonly scenario: Record<string, unknown>;
  readonly config: Readonly<Record<string, number>>;
  readonly spec: LibrarySpec;
  readonly timeScale: number;
  /** Give up after this much simulated time from the trace's 0. */
  readonly horizonSec: number;
}

export interface RealRun {
  readonly summary: RealRunSummary;
  readonly failedRecalls: number;
  readonly timedOut: boolean;
  readonly emergencyKills: number;
  /** Real milliseconds from the retriever starting each session to the fake dsmc's start entry. */
  readonly startDelaysMs: readonly number[];
  readonly wallSec: number;
}

const TICK_MS = 10;
/** Real time for the sessions still running when the last file landed to end (else they count as killed). */
const SESSION_END_TIMEOUT_MS = 30_000;
/** Real time for the retriever to start and finish its first cycle. */
const START_TIMEOUT_MS = 60_000;

/** The trace's objects in the fake's library, named as archive names them (`<dir>/out/<id>`); the scenario and config written. */
function preparePool(pool: BenchPool, setup: RealRunSetup): void {
  const specs = setup.layout.objects.map((o) => ({ path: path.join(pool.dir, 'out', o.id), sizeBytes: o.sizeBytes, volume: o.volume, description: 'bench-tape' }));
  seedObjects(pool.library, specs);
  pool.writeScenario({ library: setup.scenario });
  // in/ is never the limit (the simulator's in/ is boundless); JSON log lines carry milliseconds
  pool.writeConfig({ ...setup.config, retriever_hintfile: pool.hintPath, retriever_buffersize: 1, log_format: 'json' });
}

/** `endit-tapehints` against the fake: the hint file the retriever reads, volids being the fake's numeric Volume IDs. */
async function runTapehints(pool: BenchPool): Promise<void> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'endit-tapehints'), '--config', pool.side('endit').configPath], { env: { ...process.env, ...pool.env() }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`endit-tapehints exited with ${code}: ${stderr.trim().slice(0, 2000)}`);
}

function readRetrieverLog(pool: BenchPool): RetrieverLogFacts {
  try {
    return parseRetrieverLog(fs.readFileSync(path.join(pool.side('endit').logdir, 'tsmretriever.log'), 'utf8'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return parseRetrieverLog('');
    throw error;
  }
}

/** Starts the retriever, replays the trace from a clock set once it runs, stops it. */
async function replayOnRetriever(pool: BenchPool, setup: RealRunSetup): Promise<{ clock: ReplayClock; seen: ReplayObservation }> {
  const run = startDaemon('retriever', pool);
  try {
    await waitFor('the retriever to finish its first cycle', () => readStats(pool, ENDIT, HSM, 'retriever'), START_TIMEOUT_MS, 20, run);
    const clock: ReplayClock = { t0RealMs: Date.now(), timeScale: setup.timeScale };
    const plan = {
      requestDir: pool.sub('request'),
      inDir: pool.sub('in'),
      requests: planReplayRequests(setup.trace, setup.layout.sizeBytes, clock),
      parentPid: process.pid,
      deadlineRealMs: planRealMs(clock, setup.horizonSec * 1000),
      tickMs: TICK_MS,
    };
    const seen = await runReplay(plan, () => (run.alive() ? null : `endit-retriever exited during the replay: ${run.stderr().trim().slice(0, 2000)}`));
    // The last files landed; their sessions still let their drives go and journal their mounts.
    await waitFor('the last dsmc sessions to end', () => (unendedRetrievePids(readJournal(pool.library)).length === 0 ? true : undefined), SESSION_END_TIMEOUT_MS, 20, run).catch(() => undefined);
    return { clock, seen };
  } finally {
    await run.stop();
  }
}

function readDrivesText(pool: BenchPool): string | undefined {
  try {
    return fs.readFileSync(path.join(pool.library, DRIVES_FILE), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * The fake's clock started with its first retrieve session: the offset to
 * the trace's clock, and the volumes still in a drive at the end.
 */
function readDrives(pool: BenchPool, setup: RealRunSetup, clock: ReplayClock): { offsetSec: number; finalUnloads: UnloadEvent[] } {
  const config = parseLibraryScenario(setup.scenario);
  const text = readDrivesText(pool);
  if (config === null || text === undefined) return { offsetSec: 0, finalUnloads: [] };
  const state = parseDrivesState(text, config, Date.now());
  const offsetMs = planSimMs(clock, state.epochRealMs);
  const unloads = idleUnloads(state.library, Infinity).unloads.map((u) => ({ ...u, startMs: u.startMs + offsetMs }));
  return { offsetSec: offsetMs / 1000, finalUnloads: unloads };
}

function toSimMs(realMs: ReadonlyMap<string, number>, clock: ReplayClock): Map<string, number> {
  return new Map([...realMs].map(([id, ms]) => [id, planSimMs(clock, ms)]));
}

/** The real `endit-retriever` on the fake's drives, replaying the trace in `pool`. */
export async function runRealRetriever(pool: BenchPool, setup: RealRunSetup, progress: (message: string) => void): Promise<RealRun> {
  const started = performance.now();
  preparePool(pool, setup);
  await runTapehints(pool);
  progress(`${setup.layout.objects.length} objects in the fake's library, hint file written; replaying ${setup.trace.length} recalls`);
  const { clock, seen } = await replayOnRetriever(pool, setup);
  const drives = readDrives(pool, setup, clock);
  const journal = planShiftedJournal(readJournal(pool.library), drives.offsetSec);
  const summary = summarizeRealRun(
    { trace: setup.trace, arrivalMs: toSimMs(seen.writtenRealMs, clock), landedMs: toSimMs(seen.landedRealMs, clock), journal, finalUnloads: drives.finalUnloads, spec: setup.spec },
    'endit-retriever (fake drives)',
  );
  const log = readRetrieverLog(pool);
  return {
    summary,
    failedRecalls: seen.failed.size,
    timedOut: seen.timedOut,
    emergencyKills: log.codes.get('space_full') ?? 0,
    startDelaysMs: planStartDelaysMs(log, journal),
    wallSec: (performance.now() - started) / 1000,
  };
}
