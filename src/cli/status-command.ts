import { lockPath, readLockHolder } from '../core/runtime/index.js';
import { poolLayout } from '../core/pool/index.js';
import type { ConfigValues } from '../core/config/index.js';
import type { CliIo } from './cli-io.js';
import { resolveHintFilePath } from '../core/hints/index.js';
import { readCliConfig } from './cli-config.js';
import { formatStatusJson, formatStatusTable } from './format-status.js';
import { readHintFile, type HintMap } from './hint-file.js';
import { parseCommandArgs } from './parse-command-args.js';
import { scanRecallRequests, type RequestScan } from './request-scan.js';
import { readStatsFile, statsFilePath } from './stats-file.js';
import { scanDaemonIntents } from './daemon-intent.js';
import { DAEMON_NAMES, type DaemonIntent, type DaemonName, type DaemonView } from './status-daemon.js';
import { buildStatusReport, MAX_REQUESTS_SCANNED, type CoordinationConfig, type StatusReport, type StatusView } from './status-report.js';
import { runGroupStatus } from './status-group.js';
import { coordinationSettings } from '../core/coordination/index.js';

export const STATUS_HELP = `Usage: endit status [--config PATH] [--json] [--expect DAEMONS] [--group]

One table from the files the daemons leave (stats files in currstatsdir, their
locks in the pool directory, request/ and the hint file); it never signals a
daemon. Per daemon: running or not (pid from its lock), age of its figures
(STALE past 3 x sleeptime), pending and working files and bytes, sessions
busy/max, back-off state, errors; the retriever's in/ space and recall
requests per volume; the deleter's queue and next run.
A daemon that should run and whose process is gone is DOWN at once. It should
run when its systemd unit (endit-<daemon>.service, or endit-<daemon>@<name>
for /etc/endit/<name>.conf) is enabled, or, without such a unit, when it has
run on this pool. A daemon whose unit is disabled is not a problem.
  --json              the same as JSON, for scripts
  --expect DAEMONS    the daemons that should run, e.g. archiver,retriever
                      (instead of asking systemctl); the others may be stopped
  --group             instead: every instance of this pool's coordination group
                      (coordination_zookeeper) and its sessions, read from
                      ZooKeeper; exit 1 when ZooKeeper cannot be read
With coordination configured, the table says whether each daemon is
coordinated, the group and its sessions in use.
The first line is a verdict (ENDIT OK / ENDIT PROBLEM), as monitoring checks expect.
Exit codes: 0 every daemon that should run runs with fresh figures; 1 one is
DOWN, STALE or MISSING, or no daemon ran here; 2 the configuration cannot be
read, or a usage error.
`;

function readDaemonView(values: ConfigValues, name: DaemonName, intent: DaemonIntent, io: CliIo): DaemonView {
  const statsFile = statsFilePath(values.currstatsdir, values['desc-short'], name);
  const lockPid = readLockHolder(lockPath(values.dir, name));
  const holderStartSec = lockPid === null ? null : (io.processStartSec(lockPid) ?? null);
  return { name, statsFile, stats: readStatsFile(statsFile), lockPid, holderStartSec, intent };
}

function readHintsForStatus(file: string | undefined, scan: RequestScan | null): { hints: HintMap; note: string | null } {
  // The hint file can be large: read it only when there are recalls to place.
  if (file === undefined || scan === null || scan.recalls.length === 0) return { hints: new Map(), note: null };
  const read = readHintFile(file);
  return read.ok ? { hints: read.hints, note: null } : { hints: new Map(), note: `${read.error}: requests shown on volume default` };
}

export interface StatusOptions {
  /** `--expect archiver,retriever`: instead of asking systemctl. */
  readonly expect?: string | undefined;
}

/** Everything `status` reads, once. */
export function scanStatusView(file: string, values: ConfigValues, io: CliIo, options: StatusOptions = {}): StatusView {
  const intents = scanDaemonIntents(options.expect, file, io.env);
  const daemons = DAEMON_NAMES.map((name) => readDaemonView(values, name, intents[name], io));
  const retriever = daemons.find((d) => d.name === 'retriever');
  const retrieverPresent = retriever !== undefined && (retriever.stats.kind === 'ok' || retriever.lockPid !== null);
  const requests = retrieverPresent ? scanRecallRequests(poolLayout(values.dir).request, MAX_REQUESTS_SCANNED) : null;
  const { hints, note } = readHintsForStatus(resolveHintFilePath(values.retriever_hintfile, io.env), requests);
  const coordination = coordinationConfig(values);
  return { configFile: file, pool: values['desc-short'], nowMs: io.nowMs(), sleeptimeSec: values.sleeptime, daemons, requests, hints, hintNote: note, ...(coordination === null ? {} : { coordination }) };
}

function coordinationConfig(values: ConfigValues): CoordinationConfig | null {
  const settings = coordinationSettings(values);
  if (settings === null) return null;
  const { group, groupFrom, connectString } = settings;
  return { group, groupFrom, zookeeper: connectString, maxSessions: values.coordination_maxsessions ?? null, archiveReserve: values.coordination_archivereserve };
}

/** The status report of the pool configured in `configOption` (ConfigError if it cannot be read). */
export function readStatusReport(configOption: string | undefined, io: CliIo, options: StatusOptions = {}): StatusReport {
  const { file, snapshot } = readCliConfig(configOption, io);
  return buildStatusReport(scanStatusView(file, snapshot.values, io, options));
}

/** `endit status`: exit 0 all fresh, 1 down, stale or missing (2 for configuration errors, by the caller). */
export function runStatus(argv: readonly string[], io: CliIo): number | Promise<number> {
  const values = parseCommandArgs(argv, { config: { type: 'string' }, json: { type: 'boolean' }, expect: { type: 'string' }, group: { type: 'boolean' } });
  if (values.group === true) return runGroupStatus(values.config, values.json === true, io);
  const report = readStatusReport(values.config, io, { expect: values.expect });
  io.out(values.json === true ? formatStatusJson(report) : formatStatusTable(report));
  return report.exitCode;
}
