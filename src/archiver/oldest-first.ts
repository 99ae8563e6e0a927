import type { PoolFile } from '../core/pool/index.js';

/** Oldest mtime first, name breaking ties: the order a new session takes pending files in. */
export function compareOldestFirst(a: PoolFile, b: PoolFile): number {
  return a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Largest integer a double holds exactly, plus one. */
const EXACT = 2 ** 53;

/**
 * Oldest mtime first, name breaking ties, as sorting with compareOldestFirst
 * would, in about a fifth of the time at a million files. Each file becomes
 * one number, its mtime (in the finest unit the range allows) times a power
 * of two plus its index, and a Float64Array of those sorts natively. Files
 * that share the rounded mtime are then put in exact order among themselves.
 * Pure; the input is not changed.
 */
export function sortOldestFirst(files: readonly PoolFile[]): PoolFile[] {
  const n = files.length;
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const file of files) {
    if (!Number.isFinite(file.mtimeMs)) return [...files].sort(compareOldestFirst);
    if (file.mtimeMs < minMs) minMs = file.mtimeMs;
    if (file.mtimeMs > maxMs) maxMs = file.mtimeMs;
  }
  const indexSpan = 2 ** Math.ceil(Math.log2(Math.max(2, n)));
  const ticks = EXACT / indexSpan; // distinct time values the key can hold
  if (n < 2 || !(maxMs - minMs < ticks)) return [...files].sort(compareOldestFirst);
  // Finest power-of-ten unit (1 µs … 1 ms … ) in which the whole range fits.
  let perMs = 1000;
  while (perMs > 1e-9 && (maxMs - minMs) * perMs >= ticks) perMs /= 10;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor(((files[i] as PoolFile).mtimeMs - minMs) * perMs) * indexSpan + i;
  keys.sort();
  const sorted = new Array<PoolFile>(n);
  for (let i = 0; i < n; i++) sorted[i] = files[(keys[i] as number) % indexSpan] as PoolFile;
  for (let start = 0; start < n; ) {
    const tick = Math.floor((keys[start] as number) / indexSpan);
    let end = start + 1;
    while (end < n && Math.floor((keys[end] as number) / indexSpan) === tick) end++;
    if (end - start > 1) {
      const run = sorted.slice(start, end).sort(compareOldestFirst);
      for (let i = start; i < end; i++) sorted[i] = run[i - start] as PoolFile;
    }
    start = end;
  }
  return sorted;
}
