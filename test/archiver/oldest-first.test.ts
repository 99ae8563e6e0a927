import { describe, expect, it } from 'vitest';
import { compareOldestFirst, orderOldestFirst } from '../../src/archiver/oldest-first.js';
import { PoolFiles, type PoolFile } from '../../src/core/pool/index.js';

const T0 = 1_700_000_000_000;

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function files(count: number, mtimeOf: (i: number, r: () => number) => number, seed = 1): PoolFile[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => ({ name: Math.floor(r() * 0xffffff).toString(16).toUpperCase(), sizeBytes: 1, mtimeMs: mtimeOf(i, r) }));
}

/** The files in the order orderOldestFirst gives. */
function pickInOrder(input: readonly PoolFile[]): PoolFile[] {
  const table = PoolFiles.of(input);
  return table.pick(orderOldestFirst(table)).toArray();
}

describe('orderOldestFirst', () => {
  it.each<[string, (i: number, r: () => number) => number]>([
    ['distinct sub-millisecond mtimes', (_i, r) => T0 + r() * 10_000],
    ['bursts sharing one mtime (coarse timestamps)', (i) => T0 + Math.floor(i / 50) * 4],
    ['mtimes a few nanoseconds apart', (_i, r) => T0 + Math.floor(r() * 20) * 0.000001],
    ['a range of years (coarser ticks, exact within them)', (_i, r) => T0 - r() * 3 * 365 * 86_400_000],
    ['all the same', () => T0],
  ])('orders %s exactly as the comparator does', (_what, mtimeOf) => {
    const input = files(3000, mtimeOf);
    const copy = [...input];
    expect(pickInOrder(input)).toEqual([...input].sort(compareOldestFirst));
    expect(input).toEqual(copy);
  });

  it('falls back to the comparator when the range cannot be packed (here: infinite)', () => {
    const input = [...files(10, (_i, r) => T0 + r()), { name: 'FF', sizeBytes: 1, mtimeMs: Infinity }];
    expect(pickInOrder(input)).toEqual([...input].sort(compareOldestFirst));
  });

  it('handles no file and one file', () => {
    expect(pickInOrder([])).toEqual([]);
    expect(pickInOrder(files(1, () => T0))).toHaveLength(1);
  });
});
