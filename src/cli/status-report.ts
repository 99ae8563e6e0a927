// Assembles `endit status` from what was read. Pure.
import { EXIT } from './cli-io.js';
import type { HintMap } from './hint-file.js';
import { groupRecallsByVolume } from './per-volume.js';
import type { RequestScan } from './request-scan.js';
import { decideDaemonStatus, HEALTHY, spaceStateName, type DaemonStatus, type DaemonView } from './status-daemon.js';

/** Volumes shown in the per-volume table. */
export const TOP_VOLUMES = 10;
/** Above this many names in request/ the per-volume table is skipped (one listing, no reads). */
export const MAX_REQUESTS_SCANNED = 200_000;

export interface StatusView {
  readonly configFile: string;
  readonly pool: string;
  readonly nowMs: number;
  readonly sleeptimeSec: number;
  readonly daemons: readonly DaemonView[];
  /** null when request/ was not scanned (no retriever on this pool). */
  readonly requests: RequestScan | null;
  readonly hints: HintMap;
  /** Why the hints could not be used, if so. */
  readonly hintNote: string | null;
  /** The pool's coordination group, when coordination_zookeeper is set (issue 12). */
  readonly coordination?: CoordinationConfig;
}

/** The coordination of the configuration. */
export interface CoordinationConfig {
  readonly group: string;
  readonly groupFrom: string;
  readonly zookeeper: string;
  readonly maxSessions: number | null;
  readonly archiveReserve: number;
}

/** Whether each daemon with figures is coordinated, and the group's sessions in use as the freshest of them saw it. */
export interface CoordinationDetail extends CoordinationConfig {
  readonly daemons: readonly { readonly name: string; readonly coordinated: boolean }[];
  readonly sessionsInUse: number | null;
}

export interface VolumeRow {
  readonly volume: string;
  readonly files: number;
  readonly bytes: number;
  readonly oldestAgeSec: number;
}

export interface ArchiverDetail {
  readonly usageFiles: number | null;
  readonly usageBytes: number | null;
  readonly flushedFiles: number | null;
  readonly flushedBytes: number | null;
  readonly flushRetries: number | null;
}

export interface RetrieverDetail {
  readonly inAvailBytes: number | null;
  readonly reservedBytes: number | null;
  readonly spaceState: string;
  readonly stagedFiles: number | null;
  readonly stagedBytes: number | null;
  readonly failedFiles: number | null;
  /** Top volumes by waiting bytes, from request/ and the hint file. */
  readonly volumes: readonly VolumeRow[];
  readonly volumeCount: number;
  readonly volumesNote: string | null;
}

export interface DeleterDetail {
  readonly waitingFiles: number | null;
  readonly heldFiles: number | null;
  readonly queueFiles: number | null;
  readonly deletedFiles: number | null;
  readonly nextRunTime: number | null;
  readonly lastRunTime: number | null;
  readonly lastRunSuccess: boolean | null;
}

export interface StatusReport {
  readonly pool: string;
  readonly configFile: string;
  readonly time: number;
  readonly ok: boolean;
  readonly exitCode: number;
  /** One line, first on output (what a Nagios-style check shows). */
  readonly verdict: string;
  readonly daemons: readonly DaemonStatus[];
  readonly archiver: ArchiverDetail | null;
  readonly retriever: RetrieverDetail | null;
  readonly deleter: DeleterDetail | null;
  /** null without coordination configured. */
  readonly coordination: CoordinationDetail | null;
}

type Figures = Readonly<Record<string, number>>;

function figure(figures: Figures, name: string): number | null {
  return figures[name] ?? null;
}

/** The figures each detail section shows (names of SPEC 9 and the daemons' figures.ts). */
export const DETAIL_FIGURES = {
  archiver: {
    usageFiles: 'archiver_usage_files',
    usageBytes: 'archiver_usage_bytes',
    flushedFiles: 'archiver_flushed_files',
    flushedBytes: 'archiver_flushed_bytes',
    flushRetries: 'archiver_flush_retries',
  },
  retriever: {
    inAvailBytes: 'retriever_in_avail_bytes',
    reservedBytes: 'retriever_reserved_bytes',
    backoffState: 'retriever_backoffstate',
    stagedFiles: 'retriever_staged_files',
    stagedBytes: 'retriever_staged_bytes',
    failedFiles: 'retriever_failed_files',
  },
  deleter: {
    waitingFiles: 'deleter_waiting_files',
    heldFiles: 'deleter_held_files',
    queueFiles: 'deleter_queue_files',
    deletedFiles: 'deleter_deleted_files',
    nextRunTime: 'deleter_nextrun_time',
    lastRunTime: 'deleter_lastrun_time',
    lastRunSuccess: 'deleter_lastrun_success',
  },
} as const;

function pickFigures<K extends string>(f: Figures, names: Readonly<Record<K, string>>): Record<K, number | null> {
  const out = {} as Record<K, number | null>;
  for (const key of Object.keys(names) as K[]) out[key] = figure(f, names[key]);
  return out;
}

function archiverDetail(f: Figures): ArchiverDetail {
  return pickFigures(f, DETAIL_FIGURES.archiver);
}

function volumeRows(view: StatusView): Pick<RetrieverDetail, 'volumes' | 'volumeCount' | 'volumesNote'> {
  const scan = view.requests;
  if (scan === null) return { volumes: [], volumeCount: 0, volumesNote: null };
  if (scan.overLimit) {
    const note = `request/ holds ${scan.names} entries (over ${MAX_REQUESTS_SCANNED}): per-volume table skipped, see endit pertape --queue`;
    return { volumes: [], volumeCount: 0, volumesNote: note };
  }
  const queues = groupRecallsByVolume(scan.recalls, view.hints);
  const volumes = queues.slice(0, TOP_VOLUMES).map((q) => ({
    volume: q.volume,
    files: q.files,
    bytes: q.bytes,
    oldestAgeSec: Math.max(0, Math.round((view.nowMs - q.oldestMtimeMs) / 1000)),
  }));
  return { volumes, volumeCount: queues.length, volumesNote: view.hintNote };
}

function retrieverDetail(f: Figures, view: StatusView): RetrieverDetail {
  const { backoffState, ...figures } = pickFigures(f, DETAIL_FIGURES.retriever);
  return { ...figures, spaceState: spaceStateName(backoffState ?? undefined), ...volumeRows(view) };
}

function deleterDetail(f: Figures): DeleterDetail {
  const { lastRunTime, lastRunSuccess, ...figures } = pickFigures(f, DETAIL_FIGURES.deleter);
  const ran = lastRunTime !== null && lastRunTime !== 0;
  return {
    ...figures,
    lastRunTime: ran ? lastRunTime : null,
    lastRunSuccess: ran && lastRunSuccess !== null ? lastRunSuccess === 1 : null,
  };
}

function coordinationDetail(config: CoordinationConfig, daemons: readonly DaemonStatus[]): CoordinationDetail {
  const reporting = daemons.flatMap((d) => {
    const state = d.figures?.[`${d.name}_coordination_state`];
    return state === undefined || d.health === 'down' ? [] : [{ name: d.name, coordinated: state === 1, timeSec: d.figures?.[`${d.name}_time`] ?? 0, inUse: d.figures?.[`${d.name}_coordination_sessions`] }];
  });
  const freshest = reporting.filter((d) => d.coordinated).sort((a, b) => b.timeSec - a.timeSec)[0];
  return { ...config, daemons: reporting.map(({ name, coordinated }) => ({ name, coordinated })), sessionsInUse: freshest?.inUse ?? null };
}

function verdictOf(pool: string, daemons: readonly DaemonStatus[]): { ok: boolean; verdict: string } {
  const bad = daemons.filter((d) => !HEALTHY.has(d.health));
  const present = daemons.filter((d) => d.health !== 'absent' && d.health !== 'disabled');
  if (present.length === 0) {
    const disabled = daemons.filter((d) => d.health === 'disabled').map((d) => d.name);
    const why = disabled.length === 0 ? 'no stats files, no running daemon' : `${disabled.join(', ')} disabled`;
    return { ok: false, verdict: `ENDIT PROBLEM - ${pool}: no daemon runs on this pool (${why})` };
  }
  if (bad.length === 0) {
    const starting = present.filter((d) => d.health === 'starting').map((d) => `${d.name} starting`);
    const fresh = present.filter((d) => d.health === 'ok').map((d) => d.name);
    const parts = [...(fresh.length === 0 ? [] : [`fresh figures from ${fresh.join(', ')}`]), ...starting];
    return { ok: true, verdict: `ENDIT OK - ${pool}: ${parts.join('; ')}` };
  }
  return { ok: false, verdict: `ENDIT PROBLEM - ${pool}: ${bad.map((d) => `${d.name} ${d.health.toUpperCase()} (${d.problem ?? ''})`).join('; ')}` };
}

/** The whole report: exit 0 when every daemon that ran on this pool reports fresh figures, else 1. */
export function buildStatusReport(view: StatusView): StatusReport {
  const nowSec = Math.floor(view.nowMs / 1000);
  const daemons = view.daemons.map((d) => decideDaemonStatus(d, nowSec, view.sleeptimeSec));
  const figuresOf = (name: string): Figures | null => daemons.find((d) => d.name === name)?.figures ?? null;
  const archiver = figuresOf('archiver');
  const retriever = figuresOf('retriever');
  const deleter = figuresOf('deleter');
  const { ok, verdict } = verdictOf(view.pool, daemons);
  return {
    pool: view.pool,
    configFile: view.configFile,
    time: nowSec,
    ok,
    exitCode: ok ? EXIT.ok : EXIT.problem,
    verdict,
    daemons,
    archiver: archiver === null ? null : archiverDetail(archiver),
    retriever: retriever === null ? null : retrieverDetail(retriever, view),
    deleter: deleter === null ? null : deleterDetail(deleter),
    coordination: view.coordination === undefined ? null : coordinationDetail(view.coordination, daemons),
  };
}
