import { GIB } from '../core/units.js';

export type SpaceState = 'OK' | 'BACKLOG' | 'FULL';

/** The filesystem of in/ as statfs sees it. */
export interface SpaceView {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

export interface SpaceSettings {
  readonly bufferBytes: number;
  readonly backlogPercent: number;
  readonly killPercent: number;
}

/** The free-space lines of SPEC 6.5 for one filesystem. */
export interface SpaceLines {
  /** The buffer in force: retriever_buffersize, or half the filesystem when that is smaller. */
  readonly bufferBytes: number;
  readonly bufferShrunk: boolean;
  /** Free space below this: FULL, sessions are killed. */
  readonly killLineBytes: number;
  /** Free space below this: BACKLOG, no new session starts. */
  readonly backlogLineBytes: number;
}

/**
 * SPEC 6.5: kill line max(1 GiB, B·(1 − kill%)), backlog line
 * max(2 GiB, B·(1 − backlog%)), B = the buffer, or half the filesystem when
 * the filesystem is smaller than the buffer. The absolute floors never exceed
 * 1/16 (kill) and 1/8 (backlog) of the filesystem: on one smaller than 32 GiB
 * they would otherwise hold every recall back for ever. Pure.
 */
export function planSpaceLines(settings: SpaceSettings, totalBytes: number): SpaceLines {
  const bufferShrunk = totalBytes < settings.bufferBytes;
  const bufferBytes = bufferShrunk ? Math.floor(totalBytes / 2) : settings.bufferBytes;
  const killFloor = Math.min(GIB, Math.floor(totalBytes / 16));
  const backlogFloor = Math.min(2 * GIB, Math.floor(totalBytes / 8));
  return {
    bufferBytes,
    bufferShrunk,
    killLineBytes: Math.max(killFloor, Math.ceil((bufferBytes * (100 - settings.killPercent)) / 100)),
    backlogLineBytes: Math.max(backlogFloor, Math.ceil((bufferBytes * (100 - settings.backlogPercent)) / 100)),
  };
}

export function classifySpace(freeBytes: number, lines: SpaceLines): SpaceState {
  if (freeBytes < lines.killLineBytes) return 'FULL';
  if (freeBytes < lines.backlogLineBytes) return 'BACKLOG';
  return 'OK';
}

/** Numeric form for the figure retriever_backoffstate. */
export function spaceStateNumber(state: SpaceState | 'UNKNOWN'): number {
  return state === 'OK' ? 0 : state === 'FULL' ? 2 : 1;
}

