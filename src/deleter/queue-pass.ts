/**
 * One processing pass over the deletion queue (SPEC 7.3): read every queue
 * file, choose what to send (volume-aware deletion may hold some ids), run
 * one `dsmc delete archive` session, then write the ids still to delete into
 * a new queue file before removing the processed ones.
 */
import path from 'node:path';
import type { ConfigValues } from '../core/config/index.js';
import { deleteArgs, describeEnd, dsmcPidOf, exitCodeOf, logDsmcOutputLimits, writeFileListFrom, type DsmcEnd, type DsmcOutcome } from '../core/dsmc/index.js';
import { formatLocalTime, type Logger } from '../core/log/index.js';
import type { OddEntryWarnings } from '../core/pool/index.js';
import type { Lease } from '../core/coordination/index.js';
import { coordinatorOf, type DaemonContext } from '../core/runtime/index.js';
import { IdLineBuffer } from './log-lists.js';
import { decideDeleteOutcome, newDeleteTally, tallyDeleteMessage, type DeleteTally, type DeleteVerdict, type MarkGone } from './outcome.js';
import { listQueueFiles, readQueueFile, removeQueueFiles, setAsideQueueFile, writeQueueFiles, type CorruptQueueFile, type QueueFileResult } from './queue-file.js';
import { errorMessage } from '../core/errors.js';
import type { VolumeHints } from './volume-hints.js';
import { QueueIdStates } from './queue-states.js';
import { selectVolumeQuietIds, type HeldVolume, type VolumeQuietSelection } from './volume-quiet.js';

/** The queue as read for one pass. */
export interface QueueSnapshot {
  readonly files: readonly string[];
  /** The ids of each queue file read, as read (one id may be in two files after a crash). */
  readonly queued: ReadonlyArray<readonly string[]>;
  /** Ids per queue file, for the waiting figure. */
  readonly idsPerFile: ReadonlyMap<string, number>;
  /** Per volume, the newest queue file time holding one of its ids. */
  readonly fileTimeByVolume: ReadonlyMap<string, number>;
  /** Corrupt files set aside. */
  readonly setAside: readonly string[];
}

export interface QueuePassDeps extends Pick<DaemonContext, 'pool' | 'logger' | 'sessions' | 'history' | 'coordinator'> {
  readonly hints: VolumeHints;
  readonly values: () => ConfigValues;
  readonly isStopping: () => boolean;
  /** Warns once per odd entry of trash/queue/ across passes. */
  readonly oddQueueEntries: OddEntryWarnings;
}

type SnapshotDeps = Pick<QueuePassDeps, 'pool' | 'logger' | 'hints' | 'oddQueueEntries'>;

export interface HeldIds {
  readonly ids: number;
  readonly volumes: ReadonlyMap<string, HeldVolume>;
}

export type QueuePassResult =
  | { readonly kind: 'empty'; readonly snapshot: QueueSnapshot }
  | { readonly kind: 'all-held'; readonly snapshot: QueueSnapshot; readonly held: HeldIds }
  | { readonly kind: 'stopped' }
  /** The coordination group had no session free: the queue stays as it was, tried again next cycle. */
  | { readonly kind: 'deferred'; readonly snapshot: QueueSnapshot }
  | {
      readonly kind: 'done';
      readonly snapshot: QueueSnapshot;
      readonly verdict: DeleteVerdict;
      readonly sent: number;
      readonly deleted: number;
      readonly failed: number;
      readonly held: HeldIds | null;
      /** Queue files written with the ids still to delete. */
      readonly written: ReadonlyArray<{ name: string; ids: number }>;
    };

/** Reads one listed queue file; a file that cannot be read is logged and skipped (null). */
async function readListedQueueFile(deps: SnapshotDeps, name: string): Promise<QueueFileResult | null> {
  try {
    return await readQueueFile(deps.pool.queue, name);
  } catch (error) {
    deps.logger.warn('queue_unreadable', `cannot read queue file ${path.join(deps.pool.queue, name)} (skipped): ${errorMessage(error)}`);
    return null;
  }
}

/** Moves a corrupt queue file aside; true if it was. */
async function setAsideCorrupt(deps: SnapshotDeps, bad: CorruptQueueFile): Promise<boolean> {
  const file = path.join(deps.pool.queue, bad.name);
  try {
    const aside = await setAsideQueueFile(deps.pool.queue, bad.name);
    deps.logger.error('queue_file_corrupt', `queue file ${file} is corrupt (${bad.error}): moved aside as ${aside} for an operator to look at`);
    return true;
  } catch (error) {
    deps.logger.error('queue_file_corrupt', `queue file ${file} is corrupt (${bad.error}) and cannot be moved aside (skipped): ${errorMessage(error)}`);
    return false;
  }
}

/**
 * Reads every queue file, one at a time; corrupt ones are set aside as
 * `<name>.bad`, never deleted; anything else named like a queue file
 * (directory, symlink, FIFO, socket) is skipped with one warning. One bad
 * entry never stops the others. With `countOnly` (start-up) no ids are kept.
 */
export async function readQueueSnapshot(deps: SnapshotDeps, countOnly = false): Promise<QueueSnapshot> {
  const { pool, hints, oddQueueEntries } = deps;
  const queued: string[][] = [];
  const idsPerFile = new Map<string, number>();
  const fileTimeByVolume = new Map<string, number>();
  const setAside: string[] = [];
  const listing = await listQueueFiles(pool.queue);
  for (const odd of listing.odd) oddQueueEntries.report(odd.name, odd.kind);
  for (const name of listing.names) {
    const result = await readListedQueueFile(deps, name);
    if (result?.kind === 'odd') oddQueueEntries.report(result.odd.name, result.odd.kind);
    if (result?.kind === 'corrupt' && (await setAsideCorrupt(deps, result.corrupt))) setAside.push(name);
    if (result?.kind !== 'read') continue;
    const { file } = result;
    idsPerFile.set(file.name, file.ids.length);
    if (countOnly) continue;
    queued.push(file.ids);
    if (hints.active) noteVolumeTimes(hints, file, fileTimeByVolume);
  }
  oddQueueEntries.endPass();
  return { files: [...idsPerFile.keys()], queued, idsPerFile, fileTimeByVolume, setAside };
}

/** Per volume, the newest queue file time holding one of its ids: `file`'s time for its ids' volumes. */
function noteVolumeTimes(hints: VolumeHints, file: { readonly name: string; readonly ids: readonly string[] }, fileTimeByVolume: Map<string, number>): void {
  const fileMs = Number(file.name) * 1000;
  for (const id of file.ids) {
    const volume = hints.volumeOf(id);
    if (volume !== undefined && (fileTimeByVolume.get(volume) ?? -Infinity) < fileMs) fileTimeByVolume.set(volume, fileMs);
  }
}

function logSelection(logger: Logger, selection: VolumeQuietSelection): void {
  for (const [volume, reason] of selection.releasedVolumes) {
    logger.info(`Volume ${volume}: ${reason === 'quiet' ? 'quiet for deleter_volumequiet' : 'every file the hints list on it is queued'}, sending its deletions`);
  }
  for (const [volume, h] of selection.heldVolumes) {
    logger.info(`Volume ${volume}: still receiving deletions, holding ${h.ids} until ${formatLocalTime(h.releaseAtMs)}`);
  }
}

const heldOf = (selection: VolumeQuietSelection): HeldIds | null =>
  selection.held.length === 0 ? null : { ids: selection.held.length, volumes: selection.heldVolumes };

interface SessionReport {
  readonly end: DsmcEnd;
  readonly verdict: DeleteVerdict;
  readonly deleted: number;
  /** The ids' states after the session: GONE where dsmc confirmed it. */
  readonly states: QueueIdStates;
}

/** Why a pass runs, and what to tell when its session ended: the session history and the sessions counter. */
export interface PassStart {
  readonly reason: string;
  readonly nowMs: () => number;
  readonly onSessionEnd: () => void;
}

function recordDeleteSession(deps: QueuePassDeps, start: PassStart, session: { startMs: number; outcome: DsmcOutcome; deleted: number; listed: number }): void {
  start.onSessionEnd();
  deps.history.record({
    volume: null,
    pid: dsmcPidOf(session.outcome),
    startMs: session.startMs,
    endMs: start.nowMs(),
    files: session.deleted,
    bytes: 0,
    failed: session.listed - session.deleted,
    rc: exitCodeOf(session.outcome.end),
    reason: start.reason,
    followOn: false,
  });
}

/** The ids a pass sends, and their states if they were needed before the session. */
interface SendPlan {
  readonly sent: readonly string[];
  /** Null: built after dsmc was started (see statesBeforeSession). */
  readonly states: QueueIdStates | null;
  readonly queued: ReadonlyArray<readonly string[]>;
}

/** Marks `id` in `states` as dsmc confirmed it gone; logs it at verbose level through `already`. */
function markGone(states: QueueIdStates, id: string, already: IdLineBuffer, logger: Logger): ReturnType<MarkGone> {
  const marked = states.markGone(id);
  if (marked === 'marked' && logger.isVerbose) already.push(id);
  return marked;
}

function logDeleting(logger: Logger, sent: readonly string[]): void {
  if (!logger.isVerbose) return;
  const deleting = new IdLineBuffer('Deleting', (line) => logger.verbose(line));
  for (const id of sent) deleting.push(id);
  deleting.flush();
}

/** Starts dsmc delete archive on `listFile`; the session's messages go to `tally`, marking ids through `markGone`. */
function startDeleteSession(deps: QueuePassDeps, listFile: string, lease: Lease, tally: DeleteTally, markGone: MarkGone): Promise<DsmcOutcome> {
  const values = deps.values();
  return deps.sessions.run({
    executable: values.dsmc_executable,
    args: deleteArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, listFile),
    cpuLimitSec: values.dsmc_cpulimit,
    listFile,
    lease,
    keepMessage: () => false,
    onLine: (_line, cls) => {
      if (cls.kind !== 'message') return;
      if (tallyDeleteMessage(tally, cls.message, markGone).kind === 'all-gone') deps.logger.verbose(`All files already deleted: ${cls.message.text}`);
    },
  });
}

/** Runs the delete session for `plan.sent`, marking in the ids' states what dsmc confirms gone. */
async function runDeleteSession(deps: QueuePassDeps, start: PassStart, plan: SendPlan, lease: Lease): Promise<SessionReport | null> {
  const { pool, logger } = deps;
  const { sent } = plan;
  const listFile = await writeFileListFrom(pool.requestlists, 'tsm-delete-files', sent, `${pool.out}/`).catch((error: unknown) => {
    lease.release();
    throw error;
  });
  logger.info(`Trying to delete ${sent.length} files${logger.isDebug ? ` using file list ${listFile}` : ''}`);
  const already = new IdLineBuffer('Already deleted', (line) => logger.verbose(line));
  const tally = newDeleteTally();
  const startMs = start.nowMs();
  // dsmc is started (synchronously) before the states are built and the ids logged: it starts up meanwhile.
  const marks = { states: plan.states };
  const statesNow = (): QueueIdStates => (marks.states ??= QueueIdStates.of(plan.queued));
  const running = startDeleteSession(deps, listFile, lease, tally, (id) => markGone(statesNow(), id, already, logger));
  const states = statesNow();
  logDeleting(logger, sent);
  const outcome = await running;
  already.flush();
  const decided = decideDeleteOutcome(outcome.end, tally, sent.length);
  recordDeleteSession(deps, start, { startMs, outcome, deleted: decided.deleted, listed: sent.length });
  if (outcome.end.kind === 'aborted' || deps.isStopping()) return null;
  for (const message of tally.failureSamples) logger.warn('dsmc_message', `dsmc delete archive: ${message.text}`);
  if (tally.failures > tally.failureSamples.length) logger.warn('dsmc_message', `dsmc delete archive: ${tally.failures - tally.failureSamples.length} more messages not shown`);
  logDsmcOutputLimits(logger, 'dsmc delete archive', outcome);
  return { end: outcome.end, verdict: decided.verdict, deleted: decided.deleted, states };
}

/**
 * Whether the pass needs the ids' states (each id once) before its session:
 * for volume-aware deletion, or to send an id queued in two files once.
 * Otherwise they are built after dsmc was started: a million ids took
 * seconds to put in a map, with dsmc waiting (issue 15, "SIGUSR1 → queue
 * processed"). One queue file holds each id once (written from a listing,
 * or from the ids still to delete).
 */
function statesBeforeSession(snapshot: QueueSnapshot, quietMs: number): QueueIdStates | null {
  return quietMs > 0 || snapshot.queued.length > 1 ? QueueIdStates.of(snapshot.queued) : null;
}

/** What to send and what to hold, by volume-aware deletion when the hints are in use. */
function selectToSend(deps: QueuePassDeps, snapshot: QueueSnapshot, lastDeletionMs: Map<string, number>, nowMs: number): { selection: VolumeQuietSelection; states: QueueIdStates | null } {
  const { hints } = deps;
  const quietMs = hints.active ? deps.values().deleter_volumequiet * 1000 : 0;
  const states = statesBeforeSession(snapshot, quietMs);
  for (const [volume, fileMs] of snapshot.fileTimeByVolume) if (!lastDeletionMs.has(volume)) lastDeletionMs.set(volume, fileMs);
  const ids = states?.keys() ?? snapshot.queued[0] ?? [];
  return { selection: selectVolumeQuietIds({ ids, volumeOf: hints.volumeOf, hintedOnVolume: hints.idsOnVolume, lastDeletionMs, nowMs, quietMs }), states };
}

function logPassEnd(logger: Logger, report: SessionReport, sent: number, failed: readonly string[]): void {
  if (failed.length === 0) {
    logger.info(`Successfully deleted ${sent} files${report.verdict === 'success' ? '' : ` (dsmc ${describeEnd(report.end)}; all confirmed by its messages)`}`);
    return;
  }
  logger.warn('dsmc_failed', `dsmc delete archive ${describeEnd(report.end)}: deleted ${report.deleted} of ${sent} files, ${failed.length} stay queued for a retry`);
  const left = new IdLineBuffer('Left in queue', (line) => logger.verbose(line));
  for (const id of failed) left.push(id);
  left.flush();
}

/**
 * One pass. `lastDeletionMs` (when each volume last got a new deletion) is
 * seeded from queue file times for volumes it has no record of.
 */
export async function runQueuePass(deps: QueuePassDeps, lastDeletionMs: Map<string, number>, start: PassStart): Promise<QueuePassResult> {
  const { nowMs } = start;
  const { pool, logger } = deps;
  const snapshot = await readQueueSnapshot(deps);
  const queuedIds = snapshot.queued.reduce((sum, ids) => sum + ids.length, 0);
  if (queuedIds === 0) {
    logger.verbose('0 files in deletion queue');
    await removeQueueFiles(pool.queue, snapshot.files);
    return { kind: 'empty', snapshot };
  }
  const { selection, states } = selectToSend(deps, snapshot, lastDeletionMs, nowMs());
  logger.verbose(`${states?.size ?? queuedIds} files in deletion queue`);
  logSelection(logger, selection);
  if (selection.send.length === 0) {
    logger.info(`All ${selection.held.length} queued files are held back by volume-aware deletion`);
    return { kind: 'all-held', snapshot, held: heldOf(selection) as HeldIds };
  }

  const lease = deps.isStopping() ? null : await coordinatorOf(deps).acquire({ kind: 'delete' });
  if (lease === null && !deps.isStopping()) {
    logger.info(`Deleting ${selection.send.length} files waits for a free session of the coordination group`);
    return { kind: 'deferred', snapshot };
  }
  const report = lease === null ? null : await runDeleteSession(deps, start, { sent: selection.send, states, queued: snapshot.queued }, lease);
  if (report === null) {
    logger.info('Delete session stopped: the queue stays as it was');
    return { kind: 'stopped' };
  }
  const failed = report.verdict === 'failed' ? selection.send.filter((id) => !report.states.isGone(id)) : [];
  const remaining = failed.length === 0 ? selection.held : selection.held.concat(failed);
  // The ids still to delete are on disk before the processed queue files go.
  const written = await writeQueueFiles(pool.queue, remaining, nowMs());
  await removeQueueFiles(pool.queue, snapshot.files);
  const sent = selection.send.length;
  logPassEnd(logger, report, sent, failed);
  const held = heldOf(selection);
  if (held !== null) logger.info(`${held.ids} files held back by volume-aware deletion`);
  return { kind: 'done', snapshot, verdict: report.verdict, sent, deleted: report.deleted, failed: failed.length, held, written };
}
