import { growableArray, grownArray } from '../core/growable-array.js';
import type { VolumeSummary } from './policy.js';

/** Pending requests of one volume, with aggregates kept up to date on every change. */
interface VolumeGroup {
  readonly name: string;
  /** First member slot, -1 when empty; members are linked through `next`/`prev`. */
  head: number;
  files: number;
  bytes: number;
  unread: number;
  oldestMs: number;
  newestMs: number;
  /** A member holding the oldest or newest age left: recompute on the next read. */
  extremaStale: boolean;
}

const NONE = -1;

/**
 * Groups pending request slots by volume. Adding or removing a request is
 * O(1): members form a doubly linked list through two typed arrays indexed by
 * slot (8 bytes per request, where a Set costs about 40). The oldest/newest
 * first-seen times are recomputed over one volume only when the request that held them
 * left. Volume names are interned to small numbers, so a slot stores its
 * group as an integer.
 */
export class VolumeGroups {
  private readonly indexByName = new Map<string, number>();
  private readonly groups: VolumeGroup[] = [];
  /** Groups with at least one member. */
  private readonly nonEmpty = new Set<number>();
  /**
   * Links of member slots only: add() sets both of a slot before anything
   * reads them, so the arrays are never filled (at 10M requests, filling
   * their whole power-of-two length would touch some 50 MB more).
   */
  private next = growableArray(Int32Array, 1024);
  private prev = growableArray(Int32Array, 1024);

  constructor(private readonly sinceOf: (slot: number) => number) {}

  /** The group number of a volume name, created if new. */
  intern(name: string): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    const index = this.groups.length;
    // A copy: `name` may be a slice of a large text that must not stay in memory.
    const own = Buffer.from(name, 'utf8').toString('utf8');
    this.groups.push({ name: own, head: NONE, files: 0, bytes: 0, unread: 0, oldestMs: Infinity, newestMs: -Infinity, extremaStale: false });
    this.indexByName.set(own, index);
    return index;
  }

  nameOf(group: number): string {
    return this.at(group).name;
  }

  indexOf(name: string): number | undefined {
    return this.indexByName.get(name);
  }

  private at(group: number): VolumeGroup {
    const g = this.groups[group];
    if (g === undefined) throw new Error(`no volume group ${group}`);
    return g;
  }

  private ensureLinks(slot: number): void {
    if (slot < this.next.length) return;
    let capacity = this.next.length;
    while (capacity <= slot) capacity *= 2;
    this.next = grownArray(this.next, capacity);
    this.prev = grownArray(this.prev, capacity);
  }

  /** Adds a slot that is in no group. */
  add(group: number, slot: number, sinceMs: number, bytes: number, unread: boolean): void {
    const g = this.at(group);
    this.ensureLinks(slot);
    this.prev[slot] = NONE;
    this.next[slot] = g.head;
    if (g.head !== NONE) this.prev[g.head] = slot;
    g.head = slot;
    g.files++;
    g.bytes += bytes;
    if (unread) g.unread++;
    if (sinceMs < g.oldestMs) g.oldestMs = sinceMs;
    if (sinceMs > g.newestMs) g.newestMs = sinceMs;
    this.nonEmpty.add(group);
  }

  /** Removes a member; `sinceMs`, `bytes` and `unread` must be what was added. */
  remove(group: number, slot: number, sinceMs: number, bytes: number, unread: boolean): void {
    const g = this.at(group);
    const before = this.prev[slot] as number;
    const after = this.next[slot] as number;
    if (before === NONE) g.head = after;
    else this.next[before] = after;
    if (after !== NONE) this.prev[after] = before;
    this.next[slot] = NONE;
    this.prev[slot] = NONE;
    g.files--;
    g.bytes -= bytes;
    if (unread) g.unread--;
    if (g.files === 0) {
      this.reset(g);
      this.nonEmpty.delete(group);
    } else if (sinceMs <= g.oldestMs || sinceMs >= g.newestMs) {
      g.extremaStale = true;
    }
  }

  private reset(g: VolumeGroup): void {
    g.head = NONE;
    g.files = 0;
    g.bytes = 0;
    g.unread = 0;
    g.oldestMs = Infinity;
    g.newestMs = -Infinity;
    g.extremaStale = false;
  }

  /** The member slots of a group. */
  *members(group: number): Generator<number> {
    for (let slot = this.at(group).head; slot !== NONE; slot = this.next[slot] as number) yield slot;
  }

  /** Empties every group (before a regrouping). */
  clearAll(): void {
    for (const index of this.nonEmpty) this.reset(this.at(index));
    this.nonEmpty.clear();
  }

  private refreshExtrema(g: VolumeGroup): void {
    let oldest = Infinity;
    let newest = -Infinity;
    for (let slot = g.head; slot !== NONE; slot = this.next[slot] as number) {
      const m = this.sinceOf(slot);
      if (m < oldest) oldest = m;
      if (m > newest) newest = m;
    }
    g.oldestMs = oldest;
    g.newestMs = newest;
    g.extremaStale = false;
  }

  summary(group: number): VolumeSummary {
    const g = this.at(group);
    if (g.extremaStale) this.refreshExtrema(g);
    return { name: g.name, files: g.files, bytes: g.bytes, oldestMs: g.oldestMs, newestMs: g.newestMs, unread: g.unread };
  }

  /** Every volume with pending requests. */
  summaries(): VolumeSummary[] {
    return [...this.nonEmpty].map((group) => this.summary(group));
  }

  totals(): { files: number; bytes: number; volumes: number } {
    let files = 0;
    let bytes = 0;
    for (const index of this.nonEmpty) {
      const g = this.at(index);
      files += g.files;
      bytes += g.bytes;
    }
    return { files, bytes, volumes: this.nonEmpty.size };
  }
}
