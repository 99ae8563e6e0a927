// `endit plan` output: a table or JSON. Pure.
import type { DriveTimeEstimate } from '../../tape-model/drive-estimate.js';
import type { LibrarySpec } from '../../tape-model/drive-model.js';
import { renderTable } from '../format-table.js';
import { formatBytes, formatDuration, formatFiles } from '../format-units.js';
import type { RetrieverPlan, VolumePlan } from './plan-outlook.js';

/** What the output says besides the plan itself. */
export interface PlanContext {
  readonly hsm: string;
  readonly nowMs: number;
  /** The live retriever holding the pool's lock; null when none runs. */
  readonly retrieverPid: number | null;
  readonly maxWorkers: number;
  /** Request files that vanished or did not parse while being read. */
  readonly unreadable: number;
  /** The drives the times are estimated on. */
  readonly library: LibrarySpec;
  /** The session history the mounted tapes are reckoned from. */
  readonly history: PlanHistorySource;
  /** retriever_mountretention in seconds (0: no follow-on). */
  readonly mountRetentionSec: number;
}

/** Where the plan's history came from: the file (null with logdir -), whether it was there, the sessions of this HSM's retriever in it. */
export interface PlanHistorySource {
  readonly file: string | null;
  readonly found: boolean;
  readonly sessions: number;
}

/** What the plan says about tapes still mounted, once. */
function historyAssumption(context: PlanContext): string {
  const { history } = context;
  const noBackoff = 'back-off after failed sessions is not in the history and is not shown';
  if (history.file === null) return `no tape is taken as mounted: with logdir -, there is no session history file to read (the retriever logs its session records instead); ${noBackoff}`;
  if (!history.found) return `no tape is taken as mounted: no session history in ${history.file} yet; ${noBackoff}`;
  if (context.mountRetentionSec === 0) return `no tape is taken as mounted: retriever_mountretention is 0; ${noBackoff}`;
  return `a tape is taken as still mounted, as the retriever reckons it, when its last session in ${history.file} (${formatFiles(history.sessions, 'retriever session')} of ${context.hsm}) ended less than retriever_mountretention (${formatDuration(context.mountRetentionSec)}) ago: its session is a follow-on, its drive time has no mount; remount delays count from the history too; ${noBackoff}; a retriever started after those sessions does not know them`;
}

/** What the plan cannot know, said with every plan. */
function planAssumptions(context: PlanContext): string[] {
  const spec = context.library;
  const locateMaxSec = spec.locateStartSec + spec.locateFullLengthSec;
  return [
    historyAssumption(context),
    `drive times are estimates on an LTO-9 model (robot ${spec.robotMoveSec} s, load ${spec.loadSec} s, locate up to ${locateMaxSec} s, ${spec.readBytesPerSec / 1e6} MB/s, rewind ${spec.rewindMinSec}-${spec.rewindMaxSec} s, unload ${spec.unloadSec} s); where files lie on tape is not known, so they are taken as spread evenly in tape order`,
  ];
}

function roundedDrive(drive: DriveTimeEstimate): Record<keyof DriveTimeEstimate, number> {
  return {
    mountSec: Math.round(drive.mountSec),
    locateSec: Math.round(drive.locateSec),
    transferSec: Math.round(drive.transferSec),
    unmountSec: Math.round(drive.unmountSec),
    totalSec: Math.round(drive.totalSec),
  };
}

function totalsOf(volumes: readonly VolumePlan[]): { volumes: number; files: number; bytes: number; driveEstimateSec: number } {
  let files = 0;
  let bytes = 0;
  let driveSec = 0;
  for (const v of volumes) {
    files += v.files;
    bytes += v.bytes;
    driveSec += v.drive.totalSec;
  }
  return { volumes: volumes.length, files, bytes, driveEstimateSec: Math.round(driveSec) };
}

function spaceJson(plan: RetrieverPlan): Record<string, unknown> {
  const { decision } = plan;
  return {
    state: decision.spaceState,
    killLineBytes: decision.lines?.killLineBytes ?? null,
    backlogLineBytes: decision.lines?.backlogLineBytes ?? null,
    budgetBytes: decision.lines === null ? null : Math.max(0, decision.budgetBytes),
  };
}

/** The plan as JSON: the same as the table, numbers unformatted. */
export function formatPlanJson(plan: RetrieverPlan, context: PlanContext): string {
  const volumes = plan.volumes.map((v) => ({
    rank: v.rank,
    volume: v.volume,
    priority: v.priority,
    files: v.files,
    bytes: v.bytes,
    oldestAgeSec: v.oldestAgeSec,
    state: v.state,
    waitSec: v.waitSec,
    why: v.why,
    list: v.list,
    driveEstimate: roundedDrive(v.drive),
    stillMounted: v.stillMounted,
  }));
  const out = {
    time: new Date(context.nowMs).toISOString(),
    hsm: context.hsm,
    retriever: { running: context.retrieverPid !== null, pid: context.retrieverPid, maxWorkers: context.maxWorkers, busyWorkers: plan.busyWorkers },
    space: spaceJson(plan),
    volumes,
    totals: totalsOf(plan.volumes),
    completeInIn: plan.completeInIn,
    unreadable: context.unreadable,
    history: { ...context.history, mountRetentionSec: context.mountRetentionSec },
    assumptions: planAssumptions(context),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function stateCell(volume: VolumePlan): string {
  return volume.state === 'waits' && volume.waitSec !== null ? `waits ${formatDuration(volume.waitSec)}` : volume.state;
}

function whyCell(volume: VolumePlan): string {
  const list = volume.list === null || !volume.list.cut ? '' : ` (list: ${formatFiles(volume.list.files)}, ${formatBytes(volume.list.bytes)})`;
  const ended = volume.stillMounted === null ? '' : `its last session ended ${formatDuration(volume.stillMounted.endedAgoSec)} ago`;
  // A follow-on session's reason says it already; a volume not starting now gets the whole note.
  const mounted = ended === '' ? '' : volume.why.includes('tape still mounted') ? ` (${ended})` : `; follow-on: tape still mounted, ${ended}`;
  return `${volume.why}${list}${mounted}`;
}

function headLines(plan: RetrieverPlan, context: PlanContext): string[] {
  const totals = totalsOf(plan.volumes);
  const retriever = context.retrieverPid === null ? 'the retriever is not running' : `the retriever runs (pid ${context.retrieverPid})`;
  const { decision } = plan;
  const space =
    decision.lines === null
      ? 'Space of in/: unknown (cannot read its free space)'
      : `Space of in/: ${decision.spaceState}, ${formatBytes(Math.max(0, decision.budgetBytes))} for new lists above the kill line (${formatBytes(decision.lines.killLineBytes)})`;
  return [
    `Retriever plan for ${context.hsm} at ${new Date(context.nowMs).toISOString()}: ${formatFiles(totals.files, 'request')} on ${formatFiles(totals.volumes, 'volume')}; ${retriever}`,
    `${space}; sessions ${plan.busyWorkers} of ${context.maxWorkers}`,
  ];
}

/** The plan as a table: one row per volume, running sessions first, then in the order volumes get drives. */
export function formatPlanTable(plan: RetrieverPlan, context: PlanContext): string {
  const columns = [
    { header: '#', align: 'right' as const },
    { header: 'VOLUME' },
    { header: 'FILES', align: 'right' as const },
    { header: 'BYTES', align: 'right' as const },
    { header: 'OLDEST', align: 'right' as const },
    { header: 'STATE' },
    { header: 'DRIVE~', align: 'right' as const },
    { header: 'WHY' },
  ];
  const rows = plan.volumes.map((v) => [v.rank === null ? '-' : String(v.rank), v.volume, String(v.files), formatBytes(v.bytes), formatDuration(v.oldestAgeSec), stateCell(v), formatDuration(v.drive.totalSec), whyCell(v)]);
  const notes = [
    ...(plan.completeInIn > 0 ? [`(${formatFiles(plan.completeInIn, 'request')} already complete in in/: the retriever removes them without a session)`] : []),
    ...(context.unreadable > 0 ? [`(${formatFiles(context.unreadable, 'request file')} could not be read: being written or removed)`] : []),
    ...planAssumptions(context).map((text) => `Assumed: ${text}.`),
  ];
  const table = plan.volumes.length === 0 ? ['No recall requests.'] : renderTable(columns, rows);
  return `${[...headLines(plan, context), '', ...table, '', ...notes].join('\n')}\n`;
}
