// What a retrieve session asks of the drives, and what it records of them. Pure.
import type { LibraryState, SessionPlan, SessionStart, TapeFile, UnloadEvent } from '../tape-model/drive-model.js';
import { endSession, startSession } from '../tape-model/drive-model.js';
import type { StoredObject } from './catalog.js';
import type { DrivesChange, DrivesState } from './drive-state.js';
import { planSimMs } from './drive-state.js';
import type { JournalMount, JournalUnloadEntry } from './journal.js';

/** One mount: listed objects in a row on one volume, in list order (the order dsmc reads them). */
export interface TapeRun {
  readonly volume: string;
  readonly volumeId: number;
  /** Indexes of the session's list entries read from this volume. */
  readonly entryIndexes: readonly number[];
  readonly files: readonly TapeFile[];
}

/** Where each object (by seq) starts on its tape: the bytes of the objects before it in tape position order. */
export function planTapeOffsets(objects: readonly StoredObject[], volumes: ReadonlySet<string>): Map<number, number> {
  const byVolume = new Map<string, StoredObject[]>();
  for (const object of objects) {
    if (!volumes.has(object.volume)) continue;
    const onVolume = byVolume.get(object.volume);
    if (onVolume === undefined) byVolume.set(object.volume, [object]);
    else onVolume.push(object);
  }
  const offsets = new Map<number, number>();
  for (const onVolume of byVolume.values()) {
    onVolume.sort((a, b) => a.position - b.position || a.seq - b.seq);
    let offsetBytes = 0;
    for (const object of onVolume) {
      offsets.set(object.seq, offsetBytes);
      offsetBytes += object.sizeBytes;
    }
  }
  return offsets;
}

/** The session's mounts: a new one wherever the next listed object is on another volume; entries without an object touch no tape. */
export function planTapeRuns(listed: readonly (StoredObject | undefined)[], offsets: ReadonlyMap<number, number>): TapeRun[] {
  const runs: { volume: string; volumeId: number; entryIndexes: number[]; files: TapeFile[] }[] = [];
  listed.forEach((object, index) => {
    if (object === undefined) return;
    let run = runs.at(-1);
    if (run === undefined || run.volume !== object.volume) {
      run = { volume: object.volume, volumeId: object.volumeId, entryIndexes: [], files: [] };
      runs.push(run);
    }
    run.entryIndexes.push(index);
    run.files.push({ positionBytes: offsets.get(object.seq) ?? 0, sizeBytes: object.sizeBytes });
  });
  return runs;
}

export type MountAnswer =
  | { readonly kind: 'started'; readonly sessionId: number; readonly plan: SessionPlan }
  | { readonly kind: 'waiting'; readonly sessionId: number }
  | { readonly kind: 'failed' };

function answerOf(start: SessionStart): MountAnswer {
  if (start.kind === 'started') return { kind: 'started', sessionId: start.plan.sessionId, plan: start.plan };
  if (start.kind === 'waiting') return { kind: 'waiting', sessionId: start.sessionId };
  return { kind: 'failed' };
}

function ownedBy(state: DrivesState, library: LibraryState, answer: MountAnswer, pid: number): DrivesState {
  if (answer.kind === 'failed') return { ...state, library };
  return { ...state, library, owners: new Map(state.owners).set(answer.sessionId, pid) };
}

/** Process `pid` asks for a drive for `run` at `nowMs`: it gets one, waits (ANS1114I), or fails past MAXNUMMP (ANS1312E). */
export function planMountRequest(state: DrivesState, nowMs: number, run: TapeRun, pid: number): DrivesChange<MountAnswer> {
  const start = startSession(state.library, { volume: run.volume, files: run.files, nowMs });
  const answer = answerOf(start);
  return { state: ownedBy(state, start.library, answer, pid), result: answer, unloads: start.unloads };
}

/** The latest simulated time at or before `nowMs` that the drives' state has recorded an event at (a request, a drive let go). */
function latestEventMs(state: DrivesState, nowMs: number): number {
  let latestMs = 0;
  const consider = (ms: number): void => {
    if (ms <= nowMs && ms > latestMs) latestMs = ms;
  };
  for (const drive of state.library.drives) consider(drive.idleSinceMs);
  for (const plan of state.library.open.values()) consider(plan.requestedMs);
  for (const session of state.library.queue) consider(session.requestedMs);
  return latestMs;
}

/**
 * When a session's first mount is asked for: at the dsmc process's start
 * (`processStartRealMs`), not when the fake got to it. A real dsmc starts in
 * a second or two, nothing beside a mount; the fake's own start-up (Node and
 * its modules, 0.2-1 s real) would count a hundred simulated seconds at a
 * time scale of 0.01. Never before an event the state has recorded since,
 * so the shared timeline stays in order. Pure.
 */
export function planFirstRequestMs(state: DrivesState, nowMs: number, processStartRealMs: number): number {
  return Math.min(nowMs, Math.max(planSimMs(state, processStartRealMs), latestEventMs(state, nowMs)));
}

/** A waiting session looks again: started (another session's end gave it a drive), still waiting, or asks anew if its place was lost. */
export function planMountCheck(state: DrivesState, nowMs: number, run: TapeRun, pid: number, sessionId: number): DrivesChange<MountAnswer> {
  const plan = state.library.open.get(sessionId);
  if (plan !== undefined) return { state, result: { kind: 'started', sessionId, plan }, unloads: [] };
  if (state.library.queue.some((session) => session.sessionId === sessionId)) return { state, result: { kind: 'waiting', sessionId }, unloads: [] };
  return planMountRequest(state, nowMs, run, pid);
}

/** The session lets its drive go at `nowMs`: the volume stays mounted, idle, for the mount retention. */
export function planMountEnd(state: DrivesState, nowMs: number, sessionId: number): DrivesChange<null> {
  const step = endSession(state.library, sessionId, nowMs);
  const owners = new Map(state.owners);
  owners.delete(sessionId);
  return { state: { ...state, library: step.library, owners }, result: null, unloads: step.unloads };
}

function roundSec(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The journal's record of one mount, counting the files read before the drive was let go at `endMs`. */
export function planMountRecord(run: TapeRun, plan: SessionPlan, filesRead: number, endMs: number): JournalMount {
  const read = plan.files.slice(0, filesRead);
  const record: JournalMount = {
    volume: run.volume,
    volumeId: run.volumeId,
    drive: plan.drive,
    followOn: plan.followOn,
    waitSec: roundSec((plan.startMs - plan.requestedMs) / 1000),
    unmountSec: roundSec(plan.evictSec),
    mountSec: roundSec(plan.mountSec),
    locateSec: roundSec(read.reduce((sum, file) => sum + file.locateSec, 0)),
    transferSec: roundSec(read.reduce((sum, file) => sum + file.transferSec, 0)),
    files: read.length,
    startSec: roundSec(plan.requestedMs / 1000),
    endSec: roundSec(endMs / 1000),
  };
  return plan.evictedVolume === null ? record : { ...record, evictedVolume: plan.evictedVolume };
}

/** The journal's record of a volume leaving its drive, written at real time `timeMs` by process `pid`. */
export function planUnloadEntry(unload: UnloadEvent, timeMs: number, pid: number): JournalUnloadEntry {
  const { drive, volume, reason } = unload;
  return { event: 'unload', timeMs, pid, drive, volume, reason, startSec: roundSec(unload.startMs / 1000), rewindSec: roundSec(unload.rewindSec), unloadSec: roundSec(unload.unloadSec) };
}
