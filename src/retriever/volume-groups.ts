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
  /** Members whose first-seen time is oldestMs (newestMs): one of several tied leaving changes neither. */
  oldestCount: number;
  newestCount: number;
  /**
   * The last member at oldestMs (newestMs) left: recompute on the next read.
   * Until then oldestMs is still at most (newestMs at least) every member's time.
   */
  oldestStale: boolean;
  newestStale: boolean;
}

const NONE = -1;

/** No member at all: the extremes of an empty group. */
function clearExtrema(g: VolumeGroup): void {
  g.oldestMs = Infinity;
  g.newestMs = -Infinity;
  g.oldestCount = 0;
  g.newestCount = 0;
  g.oldestStale = false;
  g.newestStale = false;
}

/**
 * A member with first-seen time `sinceMs` joined `g`. While an extreme is
 * stale its value still bounds every member, so a member at or beyond it
 * is the new extreme.
 */
function noteAdded(g: VolumeGroup, sinceMs: number): void {
  if (sinceMs < g.oldestMs || (g.oldestStale && sinceMs === g.oldestMs)) {
    g.oldestMs = sinceMs;
    g.oldestCount = 1;
    g.oldestStale = false;
  } else if (sinceMs === g.oldestMs) {
    g.oldestCount++;
  }
  if (sinceMs > g.newestMs || (g.newestStale && sinceMs === g.newestMs)) {
    g.newestMs = sinceMs;
    g.newestCount = 1;
    g.newestStale = false;
  } else if (sinceMs === g.newestMs) {
    g.newestCount++;
  }
}

/**
 * A member with first-seen time `sinceMs` left `g` (not its last): an
 * extreme goes stale only when its last holder left. Requests of one
 * volume often share a time (a burst of stages in one second); each read
 * of one used to send the whole volume to a recount at the next plan, and
 * at ten million requests the next plan recounted them all (0.4 s).
 */
function noteRemoved(g: VolumeGroup, sinceMs: number): void {
  if (!g.oldestStale && sinceMs === g.oldestMs && --g.oldestCount === 0) g.oldestStale = true;
  if (!g.newestStale && sinceMs === g.newestMs && --g.newestCount === 0) g.newestStale = true;
}

/**
 * Groups pending request slots by volume. Adding or removing a request is
 * O(1): members form a doubly linked list through two typed arrays indexed by
 * slot (8 bytes per request, where a Set costs about 40). The oldest/newest
 * first-seen times are recomputed over one volume only when the last request
 * that held them left. Volume names are interned to small numbers, so a slot stores its
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
    this.groups.push({ name: own, head: NONE, files: 0, bytes: 0, unread: 0, oldestMs: Infinity, newestMs: -Infinity, oldestCount: 0, newestCount: 0, oldestStale: false, newestStale: false });
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
    noteAdded(g, sinceMs);
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
    } else {
      noteRemoved(g, sinceMs);
    }
  }

  private reset(g: VolumeGroup): void {
    g.head = NONE;
    g.files = 0;
    g.bytes = 0;
    g.unread = 0;
    clearExtrema(g);
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
    clearExtrema(g);
    for (let slot = g.head; slot !== NONE; slot = this.next[slot] as number) noteAdded(g, this.sinceOf(slot));
  }

  summary(group: number): VolumeSummary {
    const g = this.at(group);
    if (g.oldestStale || g.newestStale) this.refreshExtrema(g);
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
