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
}

/** What the plan cannot know, said with every plan. */
function planAssumptions(spec: LibrarySpec): string[] {
  const locateMaxSec = spec.locateStartSec + spec.locateFullLengthSec;
  return [
    'no tape is taken as mounted and no volume as recently mounted or backing off: the retriever keeps that history in memory only, so follow-ons, remount delays and back-off are not shown',
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
    assumptions: planAssumptions(context.library),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function stateCell(volume: VolumePlan): string {
  return volume.state === 'waits' && volume.waitSec !== null ? `waits ${formatDuration(volume.waitSec)}` : volume.state;
}

function whyCell(volume: VolumePlan): string {
  if (volume.list === null || !volume.list.cut) return volume.why;
  return `${volume.why} (list: ${formatFiles(volume.list.files)}, ${formatBytes(volume.list.bytes)})`;
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
    ...planAssumptions(context.library).map((text) => `Assumed: ${text}.`),
  ];
  const table = plan.volumes.length === 0 ? ['No recall requests.'] : renderTable(columns, rows);
  return `${[...headLines(plan, context), '', ...table, '', ...notes].join('\n')}\n`;
}
