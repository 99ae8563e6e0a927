// The drives of a library with a drive model, shared by every fake dsmc process that
// uses the library: drives.json in the library dir, read-modify-written under the library
// lock. The tape model (src/tape-model/drive-model.ts) decides; this file keeps its state,
// the simulated clock (real time divided by the time scale, from the state's creation),
// and which process owns each session, so a killed process frees its drive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LibraryState, UnloadEvent } from '../tape-model/drive-model.js';
import { createLibrary, endSession } from '../tape-model/drive-model.js';
import { writeFileAtomicSync } from '../core/stats/atomic-write.js';
import { isErrno } from '../core/errors.js';
import { isAlive, withLock } from './lock.js';
import type { LibraryScenario } from './scenario-library.js';

/** The drives' state in the library directory (the bench reads it after a run). */
export const DRIVES_FILE = 'drives.json';

export interface DrivesState {
  /** Real time when the simulated clock read 0. */
  readonly epochRealMs: number;
  /** The library the state was made for; another one in the scenario starts afresh. */
  readonly config: LibraryScenario;
  readonly library: LibraryState;
  /** The pid of the process behind each open or waiting session. */
  readonly owners: ReadonlyMap<number, number>;
}

export interface DrivesChange<T> {
  readonly state: DrivesState;
  readonly result: T;
  readonly unloads: readonly UnloadEvent[];
}

/** Simulated milliseconds at real time `realMs`. */
export function planSimMs(state: Pick<DrivesState, 'epochRealMs' | 'config'>, realMs: number): number {
  return (realMs - state.epochRealMs) / state.config.timeScale;
}

/** Real time at simulated time `simMs`. */
export function planRealMs(state: Pick<DrivesState, 'epochRealMs' | 'config'>, simMs: number): number {
  return state.epochRealMs + simMs * state.config.timeScale;
}

// JSON has no Map and no -Infinity (an idle drive's "since"): both get a tagged object.
function encodeValue(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value] };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

function decodeValue(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if ('$map' in value && Array.isArray(value.$map)) return new Map(value.$map as [unknown, unknown][]);
  if ('$number' in value && typeof value.$number === 'string') return Number(value.$number);
  return value;
}

export function formatDrivesState(state: DrivesState): string {
  return `${JSON.stringify(state, encodeValue)}\n`;
}

/** The state in `text` if it was made for `config`, else a fresh library whose clock starts at `realMs`. */
export function parseDrivesState(text: string | undefined, config: LibraryScenario, realMs: number): DrivesState {
  const fresh: DrivesState = { epochRealMs: realMs, config, library: createLibrary(config.spec), owners: new Map() };
  if (text === undefined) return fresh;
  try {
    const state = JSON.parse(text, decodeValue) as DrivesState;
    return JSON.stringify(state.config) === JSON.stringify(config) ? state : fresh;
  } catch {
    return fresh; // not ours (written by rename, never torn): a hand edit
  }
}

/** Ends the sessions whose process is gone, at `nowMs`: their drives go idle, waiting sessions may start. */
export function planSweep(state: DrivesState, nowMs: number, alive: (pid: number) => boolean): DrivesChange<number> {
  let library = state.library;
  const owners = new Map(state.owners);
  const unloads: UnloadEvent[] = [];
  const sessions = [...library.open.keys(), ...library.queue.map((session) => session.sessionId)];
  let ended = 0;
  for (const sessionId of sessions) {
    const pid = owners.get(sessionId);
    if (pid !== undefined && alive(pid)) continue;
    const step = endSession(library, sessionId, nowMs);
    library = step.library;
    unloads.push(...step.unloads);
    owners.delete(sessionId);
    ended += 1;
  }
  return { state: ended === 0 ? state : { ...state, library, owners }, result: ended, unloads };
}

function readDrivesText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Runs `change` on the drives' state under the library lock, at the simulated now, after
 * ending the sessions of dead processes; writes the state back when it changed.
 */
export function updateDrives<T>(libraryDir: string, config: LibraryScenario, change: (state: DrivesState, nowMs: number) => DrivesChange<T>): DrivesChange<T> & { nowMs: number } {
  return withLock(libraryDir, () => {
    const path = join(libraryDir, DRIVES_FILE);
    const text = readDrivesText(path);
    const realMs = Date.now();
    const current = parseDrivesState(text, config, realMs);
    const nowMs = planSimMs(current, realMs);
    const swept = planSweep(current, nowMs, isAlive);
    const changed = change(swept.state, nowMs);
    const nextText = formatDrivesState(changed.state);
    if (nextText !== text) writeFileAtomicSync(path, nextText);
    return { ...changed, unloads: [...swept.unloads, ...changed.unloads], nowMs };
  });
}
