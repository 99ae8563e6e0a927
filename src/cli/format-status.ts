// Renders `endit status` as a table or JSON. Pure.
import { formatLocalTime } from '../core/log/index.js';
import { renderTable } from './format-table.js';
import { formatBytes, formatDuration, formatFiles } from './format-units.js';
import type { DaemonStatus, FilesAndBytes } from './status-daemon.js';
import type { ArchiverDetail, CoordinationDetail, DeleterDetail, RetrieverDetail, StatusReport } from './status-report.js';

const DASH = '-';

function stateCell(d: DaemonStatus): string {
  if (d.running) return `running (${d.pid ?? '?'})`;
  if (d.health === 'down') return 'DOWN';
  return d.health === 'disabled' ? 'disabled' : 'not running';
}

function figuresCell(d: DaemonStatus): string {
  if (d.health === 'absent') return DASH;
  if (d.health === 'missing') return 'MISSING';
  if (d.health === 'starting') return 'starting';
  if (d.ageSec === null && (d.health === 'down' || d.health === 'disabled')) return DASH;
  const age = d.ageSec === null ? '?' : formatDuration(d.ageSec);
  return d.health === 'stale' ? `${age} STALE` : age;
}

function amountCell(amount: FilesAndBytes | null): string {
  if (amount === null) return DASH;
  return amount.bytes === null ? formatFiles(amount.files) : `${formatFiles(amount.files)}, ${formatBytes(amount.bytes)}`;
}

function errorsCell(d: DaemonStatus): string {
  if (d.errors === null) return DASH;
  const codes = Object.entries(d.errors.byCode)
    .filter(([, count]) => count > 0)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([code, count]) => `${code} ${count}`);
  return codes.length === 0 ? String(d.errors.total) : `${d.errors.total} (${codes.join(', ')})`;
}

function daemonRow(d: DaemonStatus): string[] {
  const sessions = d.sessions === null ? DASH : `${d.sessions.busy}/${d.sessions.max}`;
  return [d.name, stateCell(d), figuresCell(d), amountCell(d.pending), amountCell(d.working), sessions, d.backoff ?? DASH, errorsCell(d)];
}

const DAEMON_COLUMNS = [
  { header: 'DAEMON' },
  { header: 'STATE' },
  { header: 'FIGURES AGE' },
  { header: 'PENDING' },
  { header: 'WORKING' },
  { header: 'SESSIONS', align: 'right' as const },
  { header: 'BACK-OFF' },
  { header: 'ERRORS' },
];

function bytesOrUnknown(bytes: number | null): string {
  return bytes === null ? '?' : formatBytes(bytes);
}

function archiverLines(a: ArchiverDetail): string[] {
  const usage = a.usageFiles === null ? '?' : `${formatFiles(a.usageFiles)}, ${bytesOrUnknown(a.usageBytes)}`;
  const flushed = a.flushedFiles === null ? '?' : `${formatFiles(a.flushedFiles)}, ${bytesOrUnknown(a.flushedBytes)}`;
  return [`Archiver: out/ holds ${usage}; flushed since start ${flushed}; ${a.flushRetries ?? 0} retries`];
}

function retrieverLines(r: RetrieverDetail): string[] {
  const staged = r.stagedFiles === null ? '?' : `${formatFiles(r.stagedFiles)}, ${bytesOrUnknown(r.stagedBytes)}`;
  const lines = [
    `Retriever: in/ space ${r.spaceState}, ${bytesOrUnknown(r.inAvailBytes)} free, ${bytesOrUnknown(r.reservedBytes)} reserved for running sessions`,
    `Retriever: staged since start ${staged}; ${r.failedFiles ?? 0} failed with .err`,
  ];
  if (r.volumes.length > 0) {
    const shown = r.volumeCount > r.volumes.length ? `top ${r.volumes.length} of ${r.volumeCount}` : `${r.volumeCount}`;
    const rows = r.volumes.map((v) => [v.volume, String(v.files), formatBytes(v.bytes), formatDuration(v.oldestAgeSec)]);
    const columns = [{ header: 'VOLUME' }, { header: 'FILES', align: 'right' as const }, { header: 'BYTES', align: 'right' as const }, { header: 'OLDEST', align: 'right' as const }];
    lines.push('', `Recall requests per volume (${shown} volumes, most waiting bytes first):`, ...renderTable(columns, rows));
  }
  if (r.volumesNote !== null) lines.push(`(${r.volumesNote})`);
  return lines;
}

function deleterLines(d: DeleterDetail, nowSec: number): string[] {
  const queued = `${formatFiles(d.waitingFiles ?? 0, 'id')} queued in ${formatFiles(d.queueFiles ?? 0, 'queue file')}${d.heldFiles ? ` (${d.heldFiles} held for volume-aware deletion)` : ''}`;
  const next = d.nextRunTime === null ? 'next run ?' : `next run ${formatLocalTime(d.nextRunTime * 1000)} (in ${formatDuration(d.nextRunTime - nowSec)})`;
  const last = d.lastRunTime === null ? 'no run yet' : `last run ${formatLocalTime(d.lastRunTime * 1000)} ${d.lastRunSuccess ? 'deleted all' : 'left ids queued'}`;
  return [`Deleter: ${queued}; ${next}; ${last}; ${d.deletedFiles ?? 0} deleted since start`];
}

function coordinationLines(c: CoordinationDetail): string[] {
  const inUse = c.sessionsInUse === null ? '? sessions in use' : `${c.sessionsInUse}${c.maxSessions === null ? '' : ` of ${c.maxSessions}`} sessions in use`;
  const states = c.daemons.map((d) => `${d.name} ${d.coordinated ? 'coordinated' : 'LOCAL (local limits alone: ZooKeeper unreachable, or not joined yet)'}`);
  return [
    `Coordination: group ${c.group} (from ${c.groupFrom}) in ZooKeeper ${c.zookeeper}: ${inUse}, ${c.archiveReserve} reserved for archives`,
    `Coordination: ${states.join('; ') || 'no daemon reports'} (endit status --group lists the whole group)`,
  ];
}

function sectionLines(report: StatusReport): string[] {
  const sections = [
    report.coordination === null ? [] : coordinationLines(report.coordination),
    report.archiver === null ? [] : archiverLines(report.archiver),
    report.retriever === null ? [] : retrieverLines(report.retriever),
    report.deleter === null ? [] : deleterLines(report.deleter, report.time),
  ].filter((lines) => lines.length > 0);
  return sections.flatMap((lines) => ['', ...lines]);
}

/** The human table: a verdict line first, then one row per daemon, then details. */
export function formatStatusTable(report: StatusReport): string {
  const problems = report.daemons.filter((d) => d.problem !== null).map((d) => `${d.name}: ${d.problem ?? ''}`);
  const lines = [
    report.verdict,
    `pool ${report.pool}, configuration ${report.configFile}, at ${formatLocalTime(report.time * 1000)}`,
    '',
    ...renderTable(DAEMON_COLUMNS, report.daemons.map(daemonRow)),
    ...sectionLines(report),
    ...(problems.length === 0 ? [] : ['', ...problems]),
  ];
  return `${lines.join('\n')}\n`;
}

/** The report as JSON for scripts (every figure included under `figures`). */
export function formatStatusJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
