/**
 * A tape library as a pure, deterministic model: no clock, no files. Every
 * call takes the time (`nowMs`) and returns a new library state with what
 * happened, so a simulator (and later the fake dsmc) can ask what a session
 * would cost on real drives: robot, load, locate, read, rewind, unload.
 *
 * Positions are byte offsets from the beginning of the tape in the order
 * the data was written. Locate time grows with the distance between
 * consecutive positions of a list, so the list's order matters; the
 * serpentine layout of LTO (a file's neighbour in byte order may lie a wrap
 * away) is not modelled.
 */

export interface LibrarySpec {
  /** Drives this node's sessions may use. */
  readonly drives: number;
  /** The robot bringing a cartridge from its slot to a drive. */
  readonly robotMoveSec: number;
  /** Threading and loading a cartridge, ending at the beginning of the tape. */
  readonly loadSec: number;
  /** Start and settle of any locate, whatever its distance. */
  readonly locateStartSec: number;
  /** A locate over the whole tape length, on top of the start. */
  readonly locateFullLengthSec: number;
  /** Rewind before unloading, from the beginning of the tape... */
  readonly rewindMinSec: number;
  /** ...and from its end; in between in proportion to the head position. */
  readonly rewindMaxSec: number;
  readonly unloadSec: number;
  readonly readBytesPerSec: number;
  readonly tapeCapacityBytes: number;
  /** TSM MOUNTRETENTION: an idle volume stays in its drive this long. */
  readonly mountRetentionMs: number;
  /** The node's MAXNUMMP: a session past it fails at once (ANS1312E, rc 12); null for no limit. */
  readonly maxNumMp: number | null;
  /** Loads a cartridge is rated for: what a mount costs in tape life. */
  readonly ratedLoads: number;
}

/**
 * IBM LTO-9 full height: robot ~12 s, load 17 s, average first locate 45 s
 * (5 s start + half of an 80 s full-length locate, positions being uniform
 * on the tape), rewind 55–165 s, unload 30 s, 400 MB/s, 18 TB, 20,000 loads.
 * TSM's default MOUNTRETENTION is 60 min.
 */
export const LTO9_LIBRARY: LibrarySpec = {
  drives: 3,
  robotMoveSec: 12,
  loadSec: 17,
  locateStartSec: 5,
  locateFullLengthSec: 80,
  rewindMinSec: 55,
  rewindMaxSec: 165,
  unloadSec: 30,
  readBytesPerSec: 400e6,
  tapeCapacityBytes: 18e12,
  mountRetentionMs: 60 * 60_000,
  maxNumMp: null,
  ratedLoads: 20_000,
};

export interface TapeFile {
  readonly positionBytes: number;
  readonly sizeBytes: number;
}

/** One file of a session's list, in list order. */
export interface FileLanding {
  readonly locateSec: number;
  readonly transferSec: number;
  /** When the whole file is in in/. */
  readonly landedMs: number;
  /** Where the head is once the file is read. */
  readonly headBytes: number;
}

/** A session that got a drive: its timeline, fixed when it starts. */
export interface SessionPlan {
  readonly sessionId: number;
  readonly volume: string;
  readonly drive: number;
  /** The volume was still in a drive (mount retention): no robot, no load. */
  readonly followOn: boolean;
  /** When the session asked for the volume. */
  readonly requestedMs: number;
  /** When the drive began working for it (after any wait for a drive). */
  readonly startMs: number;
  /** The least recently used idle volume unloaded to free the drive, if any. */
  readonly evictedVolume: string | null;
  /** Rewind and unload of the evicted volume, before the mount. */
  readonly evictSec: number;
  /** Robot and load; 0 on a follow-on. */
  readonly mountSec: number;
  readonly locateSec: number;
  readonly transferSec: number;
  readonly files: readonly FileLanding[];
  /** When the last file landed (dsmc exits). */
  readonly endMs: number;
  readonly startHeadBytes: number;
}

/** A volume taken out of a drive: drive time spent rewinding and unloading. */
export interface UnloadEvent {
  readonly drive: number;
  readonly volume: string;
  readonly startMs: number;
  readonly rewindSec: number;
  readonly unloadSec: number;
  readonly reason: 'retention' | 'eviction';
}

interface DriveState {
  readonly volume: string | null;
  readonly headBytes: number;
  /** The drive works (a session, an unload) until then. */
  readonly freeAtMs: number;
  /** The session holding the drive; null when idle. */
  readonly sessionId: number | null;
  /** When it last became idle: mount retention and LRU eviction count from here. */
  readonly idleSinceMs: number;
}

interface QueuedSession {
  readonly sessionId: number;
  readonly volume: string;
  readonly files: readonly TapeFile[];
  readonly requestedMs: number;
}

export interface LibraryState {
  readonly spec: LibrarySpec;
  readonly drives: readonly DriveState[];
  /** Sessions holding a drive, by id. */
  readonly open: ReadonlyMap<number, SessionPlan>;
  /** Sessions waiting for a drive or for their volume, first come first served. */
  readonly queue: readonly QueuedSession[];
  readonly nextSessionId: number;
  readonly loadsByVolume: ReadonlyMap<string, number>;
}

export interface SessionRequest {
  readonly volume: string;
  /** In the order dsmc reads them (the list's order). */
  readonly files: readonly TapeFile[];
  readonly nowMs: number;
}

export type SessionStart =
  | { readonly kind: 'started'; readonly library: LibraryState; readonly plan: SessionPlan; readonly unloads: readonly UnloadEvent[] }
  /** Every drive busy, or the volume in use: real dsmc prints ANS1114I and waits. */
  | { readonly kind: 'waiting'; readonly library: LibraryState; readonly sessionId: number; readonly unloads: readonly UnloadEvent[] }
  /** Past MAXNUMMP: real dsmc prints ANS1312E and exits with rc 12. */
  | { readonly kind: 'failed'; readonly library: LibraryState; readonly message: 'ANS1312E'; readonly rc: 12; readonly unloads: readonly UnloadEvent[] };

export interface LibraryStep {
  readonly library: LibraryState;
  /** Waiting sessions that got a drive. */
  readonly started: readonly SessionPlan[];
  readonly unloads: readonly UnloadEvent[];
}

export function createLibrary(spec: LibrarySpec): LibraryState {
  const drive: DriveState = { volume: null, headBytes: 0, freeAtMs: -Infinity, sessionId: null, idleSinceMs: -Infinity };
  return { spec, drives: Array.from({ length: spec.drives }, () => drive), open: new Map(), queue: [], nextSessionId: 1, loadsByVolume: new Map() };
}

/**
 * Seconds from one head position to the next file. A short skip forward is
 * read through when that is quicker than a locate; reading on from where
 * the last file ended costs nothing.
 */
export function locateSec(spec: LibrarySpec, fromBytes: number, toBytes: number): number {
  const distanceBytes = toBytes - fromBytes;
  if (distanceBytes === 0) return 0;
  const seekSec = spec.locateStartSec + (Math.abs(distanceBytes) / spec.tapeCapacityBytes) * spec.locateFullLengthSec;
  return distanceBytes > 0 ? Math.min(seekSec, distanceBytes / spec.readBytesPerSec) : seekSec;
}

/** Rewind before an unload: longer the farther the head is from the beginning. */
export function rewindSec(spec: LibrarySpec, headBytes: number): number {
  const fraction = Math.min(1, Math.max(0, headBytes / spec.tapeCapacityBytes));
  return spec.rewindMinSec + fraction * (spec.rewindMaxSec - spec.rewindMinSec);
}

function unloadOf(spec: LibrarySpec, drive: number, volume: string, headBytes: number, startMs: number, reason: UnloadEvent['reason']): UnloadEvent {
  return { drive, volume, startMs, rewindSec: rewindSec(spec, headBytes), unloadSec: spec.unloadSec, reason };
}

/** Volumes idle for the mount retention leave their drives (at retention's end, whenever this is called). */
export function idleUnloads(library: LibraryState, nowMs: number): { library: LibraryState; unloads: UnloadEvent[] } {
  const unloads: UnloadEvent[] = [];
  const drives = library.drives.map((drive, index) => {
    const dueMs = drive.idleSinceMs + library.spec.mountRetentionMs;
    if (drive.volume === null || drive.sessionId !== null || dueMs > nowMs) return drive;
    const unload = unloadOf(library.spec, index, drive.volume, drive.headBytes, dueMs, 'retention');
    unloads.push(unload);
    const doneMs = dueMs + (unload.rewindSec + unload.unloadSec) * 1000;
    return { volume: null, headBytes: 0, freeAtMs: doneMs, sessionId: null, idleSinceMs: doneMs };
  });
  return { library: unloads.length === 0 ? library : { ...library, drives }, unloads };
}

/** The drive for a volume: where it still is, else an empty drive, else the least recently used idle one; null to wait. */
function chooseDrive(drives: readonly DriveState[], volume: string): number | null {
  if (drives.some((d) => d.sessionId !== null && d.volume === volume)) return null;
  const mounted = drives.findIndex((d) => d.sessionId === null && d.volume === volume);
  if (mounted >= 0) return mounted;
  let best: number | null = null;
  let bestRank: readonly [number, number] = [Infinity, Infinity];
  drives.forEach((drive, index) => {
    if (drive.sessionId !== null) return;
    const rank = drive.volume === null ? ([0, drive.freeAtMs] as const) : ([1, drive.idleSinceMs] as const);
    if (rank[0] < bestRank[0] || (rank[0] === bestRank[0] && rank[1] < bestRank[1])) {
      best = index;
      bestRank = rank;
    }
  });
  return best;
}

/** The files' timeline from `startMs`, the head starting at `startHeadBytes`. */
function planFiles(spec: LibrarySpec, startHeadBytes: number, files: readonly TapeFile[], startMs: number): { files: FileLanding[]; locateSec: number; transferSec: number; endMs: number } {
  let headBytes = startHeadBytes;
  let atMs = startMs;
  let locateTotalSec = 0;
  let transferTotalSec = 0;
  const landings = files.map((file) => {
    const locate = locateSec(spec, headBytes, file.positionBytes);
    const transfer = file.sizeBytes / spec.readBytesPerSec;
    atMs += (locate + transfer) * 1000;
    headBytes = file.positionBytes + file.sizeBytes;
    locateTotalSec += locate;
    transferTotalSec += transfer;
    return { locateSec: locate, transferSec: transfer, landedMs: atMs, headBytes };
  });
  return { files: landings, locateSec: locateTotalSec, transferSec: transferTotalSec, endMs: atMs };
}

/** Puts a session on a drive chosen by `chooseDrive`: evict, mount (or follow on), read. */
function placeSession(library: LibraryState, index: number, session: QueuedSession, nowMs: number): { library: LibraryState; plan: SessionPlan; unloads: UnloadEvent[] } {
  const { spec } = library;
  const drive = library.drives[index] as DriveState;
  const followOn = drive.volume === session.volume;
  const startMs = Math.max(nowMs, drive.freeAtMs);
  const unloads = !followOn && drive.volume !== null ? [unloadOf(spec, index, drive.volume, drive.headBytes, startMs, 'eviction')] : [];
  const evictSec = unloads.reduce((sum, u) => sum + u.rewindSec + u.unloadSec, 0);
  const mountSec = followOn ? 0 : spec.robotMoveSec + spec.loadSec;
  const startHeadBytes = followOn ? drive.headBytes : 0;
  const timeline = planFiles(spec, startHeadBytes, session.files, startMs + (evictSec + mountSec) * 1000);
  const plan: SessionPlan = {
    sessionId: session.sessionId,
    volume: session.volume,
    drive: index,
    followOn,
    requestedMs: session.requestedMs,
    startMs,
    evictedVolume: unloads[0]?.volume ?? null,
    evictSec,
    mountSec,
    ...timeline,
    startHeadBytes,
  };
  const drives = library.drives.map((d, i) => (i === index ? { ...d, volume: session.volume, freeAtMs: plan.endMs, sessionId: session.sessionId } : d));
  const open = new Map(library.open).set(plan.sessionId, plan);
  const loadsByVolume = followOn ? library.loadsByVolume : new Map(library.loadsByVolume).set(session.volume, (library.loadsByVolume.get(session.volume) ?? 0) + 1);
  return { library: { ...library, drives, open, loadsByVolume }, plan, unloads };
}

/** A new dsmc session for one volume: it gets a drive, waits for one, or fails past MAXNUMMP. */
export function startSession(library: LibraryState, request: SessionRequest): SessionStart {
  const tidied = idleUnloads(library, request.nowMs);
  const current = tidied.library;
  const limit = current.spec.maxNumMp;
  if (limit !== null && current.open.size + current.queue.length >= limit) {
    return { kind: 'failed', library: current, message: 'ANS1312E', rc: 12, unloads: tidied.unloads };
  }
  const session: QueuedSession = { sessionId: current.nextSessionId, volume: request.volume, files: request.files, requestedMs: request.nowMs };
  const numbered = { ...current, nextSessionId: current.nextSessionId + 1 };
  const index = chooseDrive(numbered.drives, request.volume);
  if (index === null) {
    return { kind: 'waiting', library: { ...numbered, queue: [...numbered.queue, session] }, sessionId: session.sessionId, unloads: tidied.unloads };
  }
  const placed = placeSession(numbered, index, session, request.nowMs);
  return { kind: 'started', library: placed.library, plan: placed.plan, unloads: [...tidied.unloads, ...placed.unloads] };
}

/** Where the head is when a session ends at `nowMs` (early when it was killed). */
function headAt(plan: SessionPlan, nowMs: number): number {
  let headBytes = plan.startHeadBytes;
  for (const file of plan.files) {
    if (file.landedMs > nowMs) break;
    headBytes = file.headBytes;
  }
  return headBytes;
}

/** Serves waiting sessions, first come first served, on the drives now free. */
function startQueued(library: LibraryState, nowMs: number): LibraryStep {
  let current = library;
  const started: SessionPlan[] = [];
  const unloads: UnloadEvent[] = [];
  const stillWaiting: QueuedSession[] = [];
  for (const session of library.queue) {
    const index = chooseDrive(current.drives, session.volume);
    if (index === null) {
      stillWaiting.push(session);
      continue;
    }
    const placed = placeSession(current, index, session, nowMs);
    current = placed.library;
    started.push(placed.plan);
    unloads.push(...placed.unloads);
  }
  return { library: { ...current, queue: stillWaiting }, started, unloads };
}

/** dsmc exited (or was killed) at `nowMs`: its volume stays mounted and idle; waiting sessions may start. */
export function endSession(library: LibraryState, sessionId: number, nowMs: number): LibraryStep {
  if (library.queue.some((s) => s.sessionId === sessionId)) {
    return { library: { ...library, queue: library.queue.filter((s) => s.sessionId !== sessionId) }, started: [], unloads: [] };
  }
  const plan = library.open.get(sessionId);
  if (plan === undefined) return { library, started: [], unloads: [] };
  const open = new Map(library.open);
  open.delete(sessionId);
  const idle: DriveState = { volume: plan.volume, headBytes: headAt(plan, nowMs), freeAtMs: nowMs, sessionId: null, idleSinceMs: nowMs };
  const drives = library.drives.map((d, i) => (i === plan.drive ? idle : d));
  const tidied = idleUnloads({ ...library, drives, open }, nowMs);
  const step = startQueued(tidied.library, nowMs);
  return { library: step.library, started: step.started, unloads: [...tidied.unloads, ...step.unloads] };
}
