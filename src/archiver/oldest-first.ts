import type { PoolFile, PoolFiles } from '../core/pool/index.js';

/** Oldest mtime first, name breaking ties: the order a new session takes pending files in. */
export function compareOldestFirst(a: PoolFile, b: PoolFile): number {
  return a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** compareOldestFirst for positions i and j of a table. */
function comparePositions(files: PoolFiles, i: number, j: number): number {
  const a = files.name(i);
  const b = files.name(j);
  return files.mtimeMs(i) - files.mtimeMs(j) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Largest integer a double holds exactly, plus one. */
const EXACT = 2 ** 53;

/** Positions 0..n-1 sorted with a comparison (the slow way, for odd mtimes). */
function sortedPositions(files: PoolFiles): Uint32Array {
  const positions = new Uint32Array(files.length);
  for (let i = 0; i < positions.length; i++) positions[i] = i;
  return positions.sort((i, j) => comparePositions(files, i, j));
}

/**
 * The positions of the files oldest mtime first, name breaking ties, as
 * sorting with compareOldestFirst would, in about a fifth of the time at a
 * million files (positions, not a sorted copy: the caller takes the files it
 * wants from them, and a million files are not copied twice). Each file becomes
 * one number, its mtime (in the finest unit the range allows) times a power
 * of two plus its position, and a Float64Array of those sorts natively. Files
 * that share the rounded mtime are then put in exact order among themselves.
 * Pure.
 */
export function orderOldestFirst(files: PoolFiles): Uint32Array {
  const n = files.length;
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (let i = 0; i < n; i++) {
    const mtimeMs = files.mtimeMs(i);
    if (!Number.isFinite(mtimeMs)) return sortedPositions(files);
    if (mtimeMs < minMs) minMs = mtimeMs;
    if (mtimeMs > maxMs) maxMs = mtimeMs;
  }
  const indexSpan = 2 ** Math.ceil(Math.log2(Math.max(2, n)));
  const ticks = EXACT / indexSpan; // distinct time values the key can hold
  if (n < 2 || !(maxMs - minMs < ticks)) return sortedPositions(files);
  // Finest power-of-ten unit (1 µs … 1 ms … ) in which the whole range fits.
  let perMs = 1000;
  while (perMs > 1e-9 && (maxMs - minMs) * perMs >= ticks) perMs /= 10;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor((files.mtimeMs(i) - minMs) * perMs) * indexSpan + i;
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = (keys[i] as number) % indexSpan;
  for (let start = 0; start < n; ) {
    const tick = Math.floor((keys[start] as number) / indexSpan);
    let end = start + 1;
    while (end < n && Math.floor((keys[end] as number) / indexSpan) === tick) end++;
    if (end - start > 1) order.subarray(start, end).sort((i, j) => comparePositions(files, i, j));
    start = end;
  }
  return order;
}
