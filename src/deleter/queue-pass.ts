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
import { decideDeleteOutcome, newDeleteTally, tallyDeleteMessage, type DeleteVerdict, type MarkGone } from './outcome.js';
import { listQueueFiles, readQueueFile, removeQueueFiles, setAsideQueueFile, writeQueueFiles, type CorruptQueueFile, type QueueFileResult } from './queue-file.js';
import { errorMessage } from '../core/errors.js';
import type { VolumeHints } from './volume-hints.js';
import { selectVolumeQuietIds, type HeldVolume, type VolumeQuietSelection } from './volume-quiet.js';

const PENDING = 0;
const GONE = 1;

/** The queue as read for one pass. */
export interface QueueSnapshot {
  readonly files: readonly string[];
  /** Each queued id once, with its state in this pass (PENDING or GONE). */
  readonly ids: Map<string, number>;
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
  const ids = new Map<string, number>();
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
    const fileMs = Number(file.name) * 1000;
    for (const id of file.ids) {
      ids.set(id, PENDING);
      if (!hints.active) continue;
      const volume = hints.volumeOf(id);
      if (volume !== undefined && (fileTimeByVolume.get(volume) ?? -Infinity) < fileMs) fileTimeByVolume.set(volume, fileMs);
    }
  }
  oddQueueEntries.endPass();
  return { files: [...idsPerFile.keys()], ids, idsPerFile, fileTimeByVolume, setAside };
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

/** Runs the delete session for `sent`, marking in `snapshot.ids` what dsmc confirms gone. */
async function runDeleteSession(deps: QueuePassDeps, start: PassStart, snapshot: QueueSnapshot, sent: readonly string[], lease: Lease): Promise<SessionReport | null> {
  const { pool, logger, sessions } = deps;
  const values = deps.values();
  const listFile = await writeFileListFrom(pool.requestlists, 'tsm-delete-files', sent, `${pool.out}/`).catch((error: unknown) => {
    lease.release();
    throw error;
  });
  logger.info(`Trying to delete ${sent.length} files${logger.isDebug ? ` using file list ${listFile}` : ''}`);
  if (logger.isVerbose) {
    const deleting = new IdLineBuffer('Deleting', (line) => logger.verbose(line));
    for (const id of sent) deleting.push(id);
    deleting.flush();
  }
  const already = new IdLineBuffer('Already deleted', (line) => logger.verbose(line));
  const markGone: MarkGone = (id) => {
    const state = snapshot.ids.get(id);
    if (state === undefined) return 'stray';
    if (state === GONE) return 'again';
    snapshot.ids.set(id, GONE); // keeps our own key string, not a slice of dsmc's output
    if (logger.isVerbose) already.push(id);
    return 'marked';
  };
  const tally = newDeleteTally();
  const startMs = start.nowMs();
  const outcome = await sessions.run({
    executable: values.dsmc_executable,
    args: deleteArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, listFile),
    cpuLimitSec: values.dsmc_cpulimit,
    listFile,
    lease,
    keepMessage: () => false,
    onLine: (_line, cls) => {
      if (cls.kind !== 'message') return;
      if (tallyDeleteMessage(tally, cls.message, markGone).kind === 'all-gone') logger.verbose(`All files already deleted: ${cls.message.text}`);
    },
  });
  already.flush();
  const decided = decideDeleteOutcome(outcome.end, tally, sent.length);
  recordDeleteSession(deps, start, { startMs, outcome, deleted: decided.deleted, listed: sent.length });
  if (outcome.end.kind === 'aborted' || deps.isStopping()) return null;
  for (const message of tally.failureSamples) logger.warn('dsmc_message', `dsmc delete archive: ${message.text}`);
  if (tally.failures > tally.failureSamples.length) logger.warn('dsmc_message', `dsmc delete archive: ${tally.failures - tally.failureSamples.length} more messages not shown`);
  logDsmcOutputLimits(logger, 'dsmc delete archive', outcome);
  return { end: outcome.end, verdict: decided.verdict, deleted: decided.deleted };
}

/**
 * One pass. `lastDeletionMs` (when each volume last got a new deletion) is
 * seeded from queue file times for volumes it has no record of.
 */
export async function runQueuePass(deps: QueuePassDeps, lastDeletionMs: Map<string, number>, start: PassStart): Promise<QueuePassResult> {
  const { nowMs } = start;
  const { pool, logger, hints } = deps;
  const snapshot = await readQueueSnapshot(deps);
  logger.verbose(`${snapshot.ids.size} files in deletion queue`);
  if (snapshot.ids.size === 0) {
    await removeQueueFiles(pool.queue, snapshot.files);
    return { kind: 'empty', snapshot };
  }
  for (const [volume, fileMs] of snapshot.fileTimeByVolume) if (!lastDeletionMs.has(volume)) lastDeletionMs.set(volume, fileMs);
  const selection = selectVolumeQuietIds({
    ids: snapshot.ids.keys(),
    volumeOf: hints.volumeOf,
    hintedOnVolume: hints.idsOnVolume,
    lastDeletionMs,
    nowMs: nowMs(),
    quietMs: hints.active ? deps.values().deleter_volumequiet * 1000 : 0,
  });
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
  const report = lease === null ? null : await runDeleteSession(deps, start, snapshot, selection.send, lease);
  if (report === null) {
    logger.info('Delete session stopped: the queue stays as it was');
    return { kind: 'stopped' };
  }
  const failed = report.verdict === 'failed' ? selection.send.filter((id) => snapshot.ids.get(id) !== GONE) : [];
  const remaining = failed.length === 0 ? selection.held : selection.held.concat(failed);
  // The ids still to delete are on disk before the processed queue files go.
  const written = await writeQueueFiles(pool.queue, remaining, nowMs());
  await removeQueueFiles(pool.queue, snapshot.files);

  const sent = selection.send.length;
  if (failed.length === 0) {
    logger.info(`Successfully deleted ${sent} files${report.verdict === 'success' ? '' : ` (dsmc ${describeEnd(report.end)}; all confirmed by its messages)`}`);
  } else {
    logger.warn('dsmc_failed', `dsmc delete archive ${describeEnd(report.end)}: deleted ${report.deleted} of ${sent} files, ${failed.length} stay queued for a retry`);
    const left = new IdLineBuffer('Left in queue', (line) => logger.verbose(line));
    for (const id of failed) left.push(id);
    left.flush();
  }
  const held = heldOf(selection);
  if (held !== null) logger.info(`${held.ids} files held back by volume-aware deletion`);
  return { kind: 'done', snapshot, verdict: report.verdict, sent, deleted: report.deleted, failed: failed.length, held, written };
}
