import { describe, expect, it } from 'vitest';
import { PoolFiles, PoolFilesBuilder, type PoolFile } from '../../../src/core/pool/index.js';

const T0 = 1_700_000_000_000;

function objects(count: number): PoolFile[] {
  return Array.from({ length: count }, (_, i) => ({ name: `F${i}`, sizeBytes: i * 1.5e9, mtimeMs: T0 + i + 0.25 }));
}

describe('PoolFiles (files as columns)', () => {
  it('holds what it was built from: names, sizes past 2^32, fractional mtimes', () => {
    const files = PoolFiles.of(objects(3));
    expect(files).toHaveLength(3);
    expect([files.name(2), files.sizeBytes(2), files.mtimeMs(2)]).toEqual(['F2', 3e9, T0 + 2.25]);
    expect(files.file(1)).toEqual({ name: 'F1', sizeBytes: 1.5e9, mtimeMs: T0 + 1.25 });
    expect(files.toArray()).toEqual(objects(3));
    expect(files.totalBytes()).toBe(4.5e9);
  });

  it.each([
    ['pick in a given order', (f: PoolFiles) => f.pick([2, 0]), ['F2', 'F0']],
    ['pick from a typed array', (f: PoolFiles) => f.pick(new Uint32Array([1])), ['F1']],
    ['pick nothing', (f: PoolFiles) => f.pick([]), []],
    ['slice', (f: PoolFiles) => f.slice(1, 3), ['F1', 'F2']],
  ])('%s: a new table with the sizes and mtimes of the files taken', (_what, take, names) => {
    const files = PoolFiles.of(objects(3));
    const taken = take(files);
    expect(taken.map((f) => f.name)).toEqual(names);
    expect(taken.toArray()).toEqual(objects(3).filter((f) => names.includes(f.name)).sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name)));
    expect(files.toArray()).toEqual(objects(3)); // the source is unchanged
  });

  it('a builder grows past its first guess and trims its columns to the files pushed', () => {
    const builder = new PoolFilesBuilder(2);
    for (const file of objects(40)) builder.push(file.name, file.sizeBytes, file.mtimeMs);
    expect(builder).toHaveLength(40);
    const built = builder.build();
    expect(built.toArray()).toEqual(objects(40));
    expect(built.columns().sizes).toHaveLength(40);
    expect(new PoolFilesBuilder(100).build()).toBe(PoolFiles.EMPTY);
  });

  it('issue 15: a builder sized for more files than it gets builds a table of exactly those (no holes)', () => {
    const builder = new PoolFilesBuilder(50);
    for (const file of objects(3)) builder.push(file.name, file.sizeBytes, file.mtimeMs);
    const built = builder.build();
    expect(built).toHaveLength(3);
    expect(built.columns().names).toEqual(['F0', 'F1', 'F2']);
    expect(built.toArray()).toEqual(objects(3));
  });
});
