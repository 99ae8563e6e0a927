// `endit status --group`: every instance of the pool's coordination group and its sessions, read from ZooKeeper (issue 12).
import { budgetLimitsOf, coordinationSettings, type BudgetLimits, type CoordinationSettings } from '../core/coordination/index.js';
import { readGroupSnapshot, type GroupSnapshot, type MemberRecord, type SessionRecord } from '../core/coordination/group-snapshot.js';
import { ConfigError } from '../core/config/index.js';
import { errorMessage } from '../core/errors.js';
import { formatLocalTime } from '../core/log/index.js';
import { EXIT, type CliIo } from './cli-io.js';
import { readCliConfig } from './cli-config.js';
import { renderTable } from './format-table.js';
import { formatDuration } from './format-units.js';

/** How long the command waits for ZooKeeper. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface GroupInstance extends MemberRecord {
  readonly sessions: readonly SessionRecord[];
}

export interface GroupReport {
  readonly group: string;
  readonly groupFrom: string;
  readonly zookeeper: string;
  /** This pool's budget; other instances should have the same. */
  readonly maxSessions: number | null;
  readonly archiveReserve: number | null;
  readonly sessionsInUse: number;
  readonly instances: readonly GroupInstance[];
  /** Sessions whose instance has no member node (it is joining again, or was an earlier run of it). */
  readonly unattached: readonly SessionRecord[];
  readonly volumes: readonly string[];
  readonly time: number;
}

/** Pure. */
export function buildGroupReport(snapshot: GroupSnapshot, settings: CoordinationSettings, limits: BudgetLimits | null, nowMs: number): GroupReport {
  const byMember = new Map<string, SessionRecord[]>();
  for (const session of snapshot.sessions) byMember.set(session.member, [...(byMember.get(session.member) ?? []), session]);
  const order = (a: MemberRecord, b: MemberRecord): number => a.pool.localeCompare(b.pool) || a.host.localeCompare(b.host) || a.daemon.localeCompare(b.daemon);
  const instances = [...snapshot.members].sort(order).map((member) => ({ ...member, sessions: byMember.get(member.key) ?? [] }));
  const known = new Set(snapshot.members.map((member) => member.key));
  return {
    group: settings.group,
    groupFrom: settings.groupFrom,
    zookeeper: settings.connectString,
    maxSessions: limits?.maxSessions ?? null,
    archiveReserve: limits?.archiveReserve ?? null,
    sessionsInUse: snapshot.sessions.length,
    instances,
    unattached: snapshot.sessions.filter((session) => !known.has(session.member)),
    volumes: snapshot.volumes,
    time: Math.floor(nowMs / 1000),
  };
}

function sessionText(session: SessionRecord, nowSec: number): string {
  const since = session.sinceMs === null ? '' : ` ${formatDuration(Math.max(0, nowSec - session.sinceMs / 1000))}`;
  return `${session.kind}${session.volume === null ? '' : ` ${session.volume}`}${since}`;
}

/** Pure. */
export function formatGroupTable(report: GroupReport): string {
  const budget = report.maxSessions === null ? `${report.sessionsInUse} sessions in use` : `${report.sessionsInUse} of ${report.maxSessions} sessions in use, ${report.archiveReserve ?? 0} reserved for archives`;
  const rows = report.instances.map((i) => [
    i.pool,
    i.host,
    i.daemon,
    i.pid === null ? '?' : String(i.pid),
    i.sinceMs === null ? '?' : formatLocalTime(i.sinceMs),
    i.sessions.map((s) => sessionText(s, report.time)).join(', ') || '-',
  ]);
  const columns = [{ header: 'POOL' }, { header: 'HOST' }, { header: 'DAEMON' }, { header: 'PID', align: 'right' as const }, { header: 'JOINED' }, { header: 'SESSIONS (kind, volume, running for)' }];
  const lines = [
    `Group ${report.group} (from ${report.groupFrom}) in ZooKeeper ${report.zookeeper}: ${budget}`,
    '',
    ...(rows.length === 0 ? ['No instance of the group is running.'] : renderTable(columns, rows)),
    ...report.unattached.map((s) => `Session of ${s.member} (no member node): ${sessionText(s, report.time)}`),
    '',
    `Volumes being read: ${report.volumes.join(', ') || 'none'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `endit status --group`: 0 when the group was read, 1 when ZooKeeper cannot be, 2 without coordination configured. */
export async function runGroupStatus(configOption: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const { file, snapshot } = readCliConfig(configOption, io);
  const settings = coordinationSettings(snapshot.values);
  if (settings === null) throw new ConfigError([`${file}: coordination_zookeeper is not set: this pool is in no coordination group`]);
  try {
    const group = await readGroupSnapshot(settings, CONNECT_TIMEOUT_MS);
    const report = buildGroupReport(group, settings, budgetLimitsOf(snapshot.values), io.nowMs());
    io.out(json ? `${JSON.stringify(report, null, 2)}\n` : formatGroupTable(report));
    return EXIT.ok;
  } catch (error) {
    io.err(`endit: ${errorMessage(error)}\n`);
    return EXIT.problem;
  }
}
