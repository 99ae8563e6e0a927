// What `endit status` says about one daemon, decided from what was read. Pure.
import type { StatsRead } from './stats-file.js';

export const DAEMON_NAMES = ['archiver', 'retriever', 'deleter'] as const;
export type DaemonName = (typeof DAEMON_NAMES)[number];

/** Figures are stale when older than this many cycles. */
export const STALE_CYCLES = 3;

/**
 * Whether the administrator wants the daemon to run: expected (its unit is
 * enabled, or named by --expect), disabled (on purpose), or unknown (no
 * systemd unit to ask).
 */
export type DaemonIntent = 'expected' | 'disabled' | 'unknown';

/** What was read about one daemon: its stats file, its lock and whether it should run. */
export interface DaemonView {
  readonly name: DaemonName;
  readonly statsFile: string;
  readonly stats: StatsRead;
  /** The live pid holding the lock, null when none does. */
  readonly lockPid: number | null;
  /** Unix time the lock holder started, when it runs and that can be known. */
  readonly holderStartSec: number | null;
  readonly intent: DaemonIntent;
}

/**
 * ok: running with fresh figures; starting: running for less than 3 ×
 * sleeptime, its own figures not written yet; stale: running, figures older
 * than 3 × sleeptime (or without a time); missing: running, or a stats file
 * that cannot be read, but no figures; down: not running although it should
 * (its unit is enabled, or --expect names it, or it ran here); disabled: not
 * running, on purpose; absent: neither a stats file nor a running process.
 */
export type DaemonHealth = 'ok' | 'starting' | 'stale' | 'missing' | 'down' | 'disabled' | 'absent';

/** Healths that are not a problem. */
export const HEALTHY: ReadonlySet<DaemonHealth> = new Set(['ok', 'starting', 'disabled', 'absent']);

/** Tolerance when comparing the stats' start time with the process's (whole seconds, clock adjustments). */
const START_TOLERANCE_SEC = 2;

export interface FilesAndBytes {
  readonly files: number;
  /** null where the daemon has no byte figure (the deleter's queue). */
  readonly bytes: number | null;
}

export interface DaemonStatus {
  readonly name: DaemonName;
  readonly running: boolean;
  readonly pid: number | null;
  readonly health: DaemonHealth;
  readonly statsFile: string;
  readonly problem: string | null;
  readonly ageSec: number | null;
  readonly staleAfterSec: number;
  readonly startTime: number | null;
  readonly pending: FilesAndBytes | null;
  readonly working: FilesAndBytes | null;
  readonly sessions: { readonly busy: number; readonly max: number } | null;
  readonly backoff: string | null;
  readonly errors: { readonly total: number; readonly byCode: Readonly<Record<string, number>> } | null;
  readonly figures: Readonly<Record<string, number>> | null;
}

type Figures = Readonly<Record<string, number>>;

export const SPACE_STATES = ['OK', 'BACKLOG', 'FULL'] as const;

/** `retriever_backoffstate` as a name (SPEC 9: 0 OK, 1 BACKLOG, 2 FULL). Pure. */
export function spaceStateName(value: number | undefined): string {
  return value === undefined ? '?' : (SPACE_STATES[value] ?? `state ${value}`);
}

/** The figures of the daemon table, per daemon. */
export const FIGURE_NAMES = {
  archiver: { pendingFiles: 'archiver_pending_files', pendingBytes: 'archiver_pending_bytes', workingFiles: 'archiver_working_files', workingBytes: 'archiver_working_bytes', busy: 'archiver_busyworkers', max: 'archiver_maxworkers' },
  retriever: { pendingFiles: 'retriever_requests_files', pendingBytes: 'retriever_requests_bytes', workingFiles: 'retriever_working_files', workingBytes: 'retriever_working_bytes', busy: 'retriever_busyworkers', max: 'retriever_maxworkers' },
  deleter: { pendingFiles: 'deleter_waiting_files', pendingBytes: undefined, workingFiles: undefined, workingBytes: undefined, busy: 'deleter_busyworkers', max: undefined },
} as const;

/** The figures of the back-off column. */
export const BACKOFF_FIGURES = {
  archiverFailures: 'archiver_backoff_failures',
  archiverSeconds: 'archiver_backoff_seconds',
  deleterFailures: 'deleter_backoff_failures',
  retrieverVolumes: 'retriever_backoff_volumes',
  retrieverSpace: 'retriever_backoffstate',
} as const;

function pick(figures: Figures, name: string | undefined): number | undefined {
  return name === undefined ? undefined : figures[name];
}

function filesAndBytes(figures: Figures, files: string | undefined, bytes: string | undefined): FilesAndBytes | null {
  const count = pick(figures, files);
  return count === undefined ? null : { files: count, bytes: pick(figures, bytes) ?? null };
}

function sessionsOf(name: DaemonName, figures: Figures): DaemonStatus['sessions'] {
  const names = FIGURE_NAMES[name];
  const busy = figures[names.busy];
  if (busy === undefined) return null;
  // The deleter runs at most one delete session.
  return { busy, max: pick(figures, names.max) ?? 1 };
}

function failuresText(failures: number | undefined, waitSec: number | undefined): string {
  if (failures === undefined || failures === 0) return 'none';
  const wait = waitSec === undefined || waitSec <= 0 ? '' : `, next try in ${Math.round(waitSec)}s`;
  return `${failures} failed${wait}`;
}

/** Back-off in words: failures in a row for the archiver and deleter, the space state for the retriever. */
export function backoffOf(name: DaemonName, figures: Figures): string {
  const b = BACKOFF_FIGURES;
  if (name === 'archiver') return failuresText(figures[b.archiverFailures], figures[b.archiverSeconds]);
  if (name === 'deleter') return failuresText(figures[b.deleterFailures], undefined);
  const volumes = figures[b.retrieverVolumes] ?? 0;
  const space = spaceStateName(figures[b.retrieverSpace]);
  return volumes > 0 ? `${space}, ${volumes} vol waiting` : space;
}

/** `<daemon>_errors` and the `<daemon>_errors_<code>` counts. */
export function errorsOf(name: DaemonName, figures: Figures): DaemonStatus['errors'] {
  const prefix = `${name}_errors_`;
  const byCode: Record<string, number> = {};
  for (const [key, value] of Object.entries(figures)) if (key.startsWith(prefix)) byCode[key.slice(prefix.length)] = value;
  const total = figures[`${name}_errors`] ?? Object.values(byCode).reduce((a, b) => a + b, 0);
  return { total, byCode };
}

type HealthDecision = { health: DaemonHealth; problem: string | null };

function decideNotRunning(view: DaemonView, ageSec: number | null): HealthDecision {
  if (view.intent === 'disabled') return { health: 'disabled', problem: null };
  const ran = view.stats.kind !== 'missing';
  if (!ran && view.intent === 'unknown') return { health: 'absent', problem: null };
  const last = ageSec === null ? '' : `; its last figures are ${Math.round(ageSec)}s old`;
  const why = ran ? 'no live process holds its lock' : 'expected to run, but it never ran on this pool';
  return { health: 'down', problem: `not running: ${why}${last}` };
}

/** The figures a running daemon shows were written by an earlier process (it restarted and has not written yet). */
function figuresPredateHolder(view: DaemonView, figures: Readonly<Record<string, number>>): boolean {
  const statsStart = figures[`${view.name}_starttime`];
  return view.holderStartSec !== null && statsStart !== undefined && statsStart + START_TOLERANCE_SEC < view.holderStartSec;
}

function decideHealth(view: DaemonView, ageSec: number | null, nowSec: number, staleAfterSec: number): HealthDecision {
  if (view.lockPid === null) return decideNotRunning(view, ageSec);
  const young = view.holderStartSec !== null && nowSec - view.holderStartSec <= staleAfterSec;
  if (view.stats.kind === 'invalid') return { health: 'missing', problem: `${view.statsFile}: ${view.stats.error}` };
  if (view.stats.kind === 'missing' || figuresPredateHolder(view, view.stats.figures)) {
    if (young) return { health: 'starting', problem: null };
    if (view.stats.kind === 'missing') return { health: 'missing', problem: `running but no stats file ${view.statsFile}` };
  }
  if (ageSec === null) return { health: 'stale', problem: `${view.statsFile} has no ${view.name}_time` };
  if (ageSec > staleAfterSec) return { health: 'stale', problem: `figures ${Math.round(ageSec)}s old, stale after ${staleAfterSec}s` };
  return { health: 'ok', problem: null };
}

/** One daemon's status at `nowSec`, stale past STALE_CYCLES × sleeptime. Pure. */
export function decideDaemonStatus(view: DaemonView, nowSec: number, sleeptimeSec: number): DaemonStatus {
  const figures = view.stats.kind === 'ok' ? view.stats.figures : null;
  const time = figures?.[`${view.name}_time`];
  const ageSec = time === undefined ? null : Math.max(0, nowSec - time);
  const staleAfterSec = STALE_CYCLES * sleeptimeSec;
  const { health, problem } = decideHealth(view, ageSec, nowSec, staleAfterSec);
  const names = FIGURE_NAMES[view.name];
  return {
    name: view.name,
    running: view.lockPid !== null,
    pid: view.lockPid,
    health,
    statsFile: view.statsFile,
    problem,
    ageSec,
    staleAfterSec,
    startTime: figures?.[`${view.name}_starttime`] ?? null,
    pending: figures === null ? null : filesAndBytes(figures, names.pendingFiles, names.pendingBytes),
    working: figures === null ? null : filesAndBytes(figures, names.workingFiles, names.workingBytes),
    sessions: figures === null ? null : sessionsOf(view.name, figures),
    backoff: figures === null ? null : backoffOf(view.name, figures),
    errors: figures === null ? null : errorsOf(view.name, figures),
    figures,
  };
}
