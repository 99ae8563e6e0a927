import { CompactNameSet } from '../core/pool/index.js';
import type { FileIdentity, SentRecord } from './sent-journal.js';

/**
 * Files in out/ that dsmc archived but that could not be removed: they are
 * never archived again. A read-only out/ can hold the whole backlog here, so
 * a file costs one name reference and three numbers in typed arrays.
 */
export class HeldFiles {
  private readonly names = new CompactNameSet();
  private sizes = new Float64Array(0);
  private inos = new Float64Array(0);
  private mtimes = new Float64Array(0);

  get size(): number {
    return this.names.size;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Holds a file; false when it was held already. */
  hold({ name, identity }: SentRecord): boolean {
    if (this.names.has(name)) return false;
    const id = this.names.add(name);
    if (id >= this.sizes.length) this.grow(id + 1);
    this.sizes[id] = identity.sizeBytes;
    this.inos[id] = identity.ino;
    this.mtimes[id] = identity.mtimeMs;
    return true;
  }

  /** Lets a file go (removed, gone, or replaced by a new one); false when it was not held. */
  release(name: string): boolean {
    return this.names.delete(name);
  }

  /** Every held file with its identity; releasing files meanwhile is safe (they are left out). */
  *records(): Generator<SentRecord> {
    for (const name of this.names) {
      const id = this.names.idOf(name);
      if (id < 0) continue;
      const identity: FileIdentity = { sizeBytes: this.sizes[id] as number, ino: this.inos[id] as number, mtimeMs: this.mtimes[id] as number };
      yield { name, identity };
    }
  }

  private grow(atLeast: number): void {
    const length = Math.max(atLeast, this.sizes.length * 2, 1024);
    for (const key of ['sizes', 'inos', 'mtimes'] as const) {
      const bigger = new Float64Array(length);
      bigger.set(this[key]);
      this[key] = bigger;
    }
  }
}
