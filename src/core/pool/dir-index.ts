import { listPnfsids, scanPoolDir, type PoolFile } from './scan.js';

/**
 * Knows the hexadecimal files of one directory with size and mtime. A refresh
 * lists names and stats only names it has not seen: files in out/ are hard
 * links that do not change, so re-stat-ing a million of them each cycle is
 * wasted work.
 */
export class DirIndex {
  private readonly known = new Map<string, PoolFile>();

  constructor(private readonly dir: string) {}

  get files(): IterableIterator<PoolFile> {
    return this.known.values();
  }

  get size(): number {
    return this.known.size;
  }

  get(name: string): PoolFile | undefined {
    return this.known.get(name);
  }

  /** Forget a name, e.g. after its file was seen gone; the next refresh stats it again if it is back. */
  forget(name: string): void {
    this.known.delete(name);
  }

  async refresh(): Promise<PoolFile[]> {
    const names = await listPnfsids(this.dir);
    const present = new Set(names);
    for (const name of this.known.keys()) if (!present.has(name)) this.known.delete(name);
    const unseen = names.filter((name) => !this.known.has(name));
    for (const file of await scanPoolDir(this.dir, unseen)) this.known.set(file.name, file);
    return [...this.known.values()];
  }
}
