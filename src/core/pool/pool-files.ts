import type { PoolFile } from './scan.js';

/**
 * Pool files as columns: per file one reference to its name and two doubles
 * in typed arrays, no object. A PoolFile object costs 48 bytes plus 32 for
 * the boxed doubles of its size and mtime (node runs V8 without pointer
 * compression): with a million files in out/ the columns hold the same in
 * 64 MB less. Not changed once built (a builder or a DirIndex fills them).
 */
export class PoolFiles {
  static readonly EMPTY = new PoolFiles([], new Float64Array(0), new Float64Array(0));

  /** The columns are taken as they are, not copied: whoever hands them over no longer changes them. */
  constructor(
    private readonly names: readonly string[],
    private readonly sizes: Float64Array,
    private readonly mtimes: Float64Array,
  ) {}

  static of(files: readonly PoolFile[]): PoolFiles {
    const builder = new PoolFilesBuilder(files.length);
    for (const file of files) builder.push(file.name, file.sizeBytes, file.mtimeMs);
    return builder.build();
  }

  get length(): number {
    return this.names.length;
  }

  name(i: number): string {
    return this.names[i] as string;
  }

  sizeBytes(i: number): number {
    return this.sizes[i] as number;
  }

  mtimeMs(i: number): number {
    return this.mtimes[i] as number;
  }

  /** The columns themselves, for DirIndex to adopt a first listing (copy-on-write: it copies them before any change). */
  columns(): { readonly names: readonly string[]; readonly sizes: Float64Array; readonly mtimes: Float64Array } {
    return { names: this.names, sizes: this.sizes, mtimes: this.mtimes };
  }

  /** One file as an object (for a few files; a million would cost what the columns save). */
  file(i: number): PoolFile {
    return { name: this.name(i), sizeBytes: this.sizeBytes(i), mtimeMs: this.mtimeMs(i) };
  }

  totalBytes(): number {
    let total = 0;
    for (let i = 0; i < this.names.length; i++) total += this.sizes[i] as number;
    return total;
  }

  /** The files at these positions, in this order, as a new table. */
  pick(positions: ArrayLike<number>): PoolFiles {
    const builder = new PoolFilesBuilder(positions.length);
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k] as number;
      builder.push(this.name(i), this.sizeBytes(i), this.mtimeMs(i));
    }
    return builder.build();
  }

  /** Files start..end-1 as a new table of exactly that size. */
  slice(start: number, end: number): PoolFiles {
    return new PoolFiles(this.names.slice(start, end), this.sizes.slice(start, end), this.mtimes.slice(start, end));
  }

  /** As objects (tests, small tables). */
  map<T>(fn: (file: PoolFile, i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.names.length; i++) out.push(fn(this.file(i), i));
    return out;
  }

  toArray(): PoolFile[] {
    return this.map((file) => file);
  }
}

/**
 * Fills the columns of a PoolFiles one file at a time (typed arrays grown by
 * doubling, trimmed at the end). Given the expected count, the names array
 * is made that long at once: pushing a million names one by one leaves
 * twice their array in garbage on the way, and up to half of it unused.
 */
export class PoolFilesBuilder {
  private readonly names: string[];
  private count = 0;
  private sizes: Float64Array;
  private mtimes: Float64Array;

  constructor(expected = 0) {
    this.names = expected > 0 ? new Array<string>(expected) : [];
    this.sizes = new Float64Array(Math.max(expected, 16));
    this.mtimes = new Float64Array(Math.max(expected, 16));
  }

  get length(): number {
    return this.count;
  }

  push(name: string, sizeBytes: number, mtimeMs: number): void {
    const i = this.count++;
    if (i === this.sizes.length) {
      this.sizes = grown(this.sizes, i * 2);
      this.mtimes = grown(this.mtimes, i * 2);
    }
    if (i < this.names.length) this.names[i] = name;
    else this.names.push(name);
    this.sizes[i] = sizeBytes;
    this.mtimes[i] = mtimeMs;
  }

  /** The table; the builder must not be used after. */
  build(): PoolFiles {
    const n = this.count;
    if (n === 0) return PoolFiles.EMPTY;
    // Fewer than expected: the rest of the names array is cut off (no holes in the table).
    if (this.names.length > n) this.names.length = n;
    const exact = (column: Float64Array): Float64Array => (column.length === n ? column : column.slice(0, n));
    return new PoolFiles(this.names, exact(this.sizes), exact(this.mtimes));
  }
}

function grown(column: Float64Array, length: number): Float64Array {
  const bigger = new Float64Array(length);
  bigger.set(column);
  return bigger;
}
