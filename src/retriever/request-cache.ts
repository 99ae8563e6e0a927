import { HintColumns } from './hint-columns.js';
import type { HintSink } from './hint-parse.js';
import type { RequestInfo, VolumeSummary } from './policy.js';
import { ABSENT, INVALID, IGNORED, PENDING, SlotStore, STAGED, UNREAD, WORKING, type RequestStateCode } from './slot-store.js';
import type { OrderKey } from './tape-order.js';
import { DEFAULT_VOLUME, sanitizeVolumeName } from './volume-name.js';
import { VolumeByBytes } from './volume-bytes.js';
import { HintBatch } from './hint-batch.js';
import { VolumeGroups } from './volume-groups.js';

export type ObserveResult = 'new' | 'changed' | 'same';

/** What reading a request's JSON concluded. */
export type ReadConclusion =
  | { readonly kind: 'pending'; readonly fileSizeBytes: number; readonly parentPid: number | null }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'invalid' };

/**
 * Everything the retriever knows about request files and the hint file, in
 * one compact table (see slot-store.ts), plus the pending requests grouped by
 * volume with their aggregates. Nothing here touches the filesystem: the
 * cycle feeds it what it listed, stat-ed and read.
 *
 * A request's JSON is read lazily: a listing only records name, mtime and
 * size (state UNREAD), and the JSON is read when the request's volume is
 * about to be planned, or in the background a slice per cycle. An unchanged
 * file (same mtime and size) is never read again.
 */
export class RequestCache {
  readonly store = new SlotStore();
  readonly groups = new VolumeGroups((slot) => this.store.sinceMs[slot] ?? 0);
  private readonly defaultGroup = this.groups.intern(DEFAULT_VOLUME);
  /** Number of slots in state UNREAD; found by a cursor over the state column (no set of a million slots). */
  private unreadCount = 0;
  private unreadCursor = 0;
  /** parent_pid → number of pending requests naming it. */
  private readonly pidCounts = new Map<number, number>();
  private requestCount = 0;
  private listingGeneration = 0;
  /** The hints in force; null when none. */
  private hints: HintColumns | null = null;
  /** A hint file being loaded, not in force until complete (endHints). */
  private building: HintColumns | null = null;
  /** Plain members of that file not in `building` yet (see HintBatch). */
  private buildingBatch: HintBatch | null = null;
  /** Slots of WORKING requests whose file landed complete in in/ (dsmc said `[Done]`). */
  private readonly landedSlots = new Set<number>();

  /**
   * `onDelivered` hears of every request delivered: it leaves request/ after
   * its file landed complete in in/ (staged, or landed during its session),
   * with when it was first seen.
   */
  constructor(private readonly onDelivered: (sinceMs: number) => void = () => {}) {}

  /** Request files known (any state). */
  get requests(): number {
    return this.requestCount;
  }

  get unread(): number {
    return this.unreadCount;
  }

  get hintEntries(): number {
    return this.hints?.entries ?? 0;
  }

  stateOf(id: string): RequestStateCode {
    const slot = this.store.slotOf(id);
    return slot === undefined ? ABSENT : (this.store.state[slot] as RequestStateCode);
  }

  /** mtime of a known request file; null when unknown. */
  mtimeOf(id: string): number | null {
    const slot = this.store.slotOf(id);
    if (slot === undefined || this.store.state[slot] === ABSENT) return null;
    return this.store.mtimeMs[slot] as number;
  }

  /** Whether a hint holds the slot: one in force, or one of the hint file being loaded. */
  private hinted(slot: number): boolean {
    return this.hints?.has(slot) === true || this.building?.has(slot) === true;
  }

  private groupOf(slot: number): number {
    const hints = this.hints;
    return hints !== null && hints.has(slot) ? (hints.volume[slot] as number) : this.defaultGroup;
  }

  /** Size for scheduling: file_size once read, else the hint's size, else 0. */
  bytesOf(slot: number): number {
    const known = this.store.fileSize[slot] as number;
    if (known >= 0) return known;
    const hints = this.hints;
    const hinted = hints !== null && hints.has(slot) ? (hints.sizeBytes[slot] as number) : -1;
    return hinted >= 0 ? hinted : 0;
  }

  private orderOf(slot: number): OrderKey | null {
    return this.hints?.orderOf(slot) ?? null;
  }

  private join(slot: number): void {
    const state = this.store.state[slot];
    if (state !== UNREAD && state !== PENDING) return;
    const group = this.groupOf(slot);
    this.store.group[slot] = group;
    this.groups.add(group, slot, this.store.sinceMs[slot] as number, this.bytesOf(slot), state === UNREAD);
  }

  private leave(slot: number): void {
    const group = this.store.group[slot] as number;
    if (group < 0) return;
    this.groups.remove(group, slot, this.store.sinceMs[slot] as number, this.bytesOf(slot), this.store.state[slot] === UNREAD);
    this.store.group[slot] = -1;
  }

  private countPid(pid: number, delta: number): void {
    if (pid <= 0) return;
    const count = (this.pidCounts.get(pid) ?? 0) + delta;
    if (count > 0) this.pidCounts.set(pid, count);
    else this.pidCounts.delete(pid);
  }

  /** The one way a request changes state: keeps groups, the unread set, pid counts and totals right. */
  private transition(slot: number, next: RequestStateCode, update?: () => void): void {
    const { store } = this;
    const previous = store.state[slot] as RequestStateCode;
    this.leave(slot);
    if (previous === UNREAD) this.unreadCount--;
    if (previous === PENDING) this.countPid(store.pid[slot] as number, -1);
    if (previous === WORKING) this.landedSlots.delete(slot);
    if (previous === ABSENT && next !== ABSENT) this.requestCount++;
    if (previous !== ABSENT && next === ABSENT) this.requestCount--;
    update?.();
    store.state[slot] = next;
    if (next === UNREAD) this.unreadCount++;
    if (next === PENDING) this.countPid(store.pid[slot] as number, 1);
    this.join(slot);
    if (next === ABSENT && !this.hinted(slot)) store.release(slot);
  }

  /**
   * A request file seen with this mtime and size. Changed or new files become
   * UNREAD. A changed file (dCache rewrote it: a retry) keeps the age of its
   * first sighting; a file removed and written anew is a new request.
   */
  observe(id: string, mtimeMs: number, sizeBytes: number): ObserveResult {
    return this.observeSlot(this.store.ensure(id), mtimeMs, sizeBytes);
  }

  private observeSlot(slot: number, mtimeMs: number, sizeBytes: number): ObserveResult {
    const { store } = this;
    const state = store.state[slot] as RequestStateCode;
    if (state !== ABSENT && store.mtimeMs[slot] === mtimeMs && store.statSize[slot] === sizeBytes) return 'same';
    if (state === WORKING) {
      // Its session decides what happens next; it is read again afterwards.
      store.mtimeMs[slot] = mtimeMs;
      store.statSize[slot] = sizeBytes;
      return 'changed';
    }
    this.transition(slot, UNREAD, () => {
      store.mtimeMs[slot] = mtimeMs;
      if (state === ABSENT) store.sinceMs[slot] = mtimeMs;
      store.statSize[slot] = sizeBytes;
      store.fileSize[slot] = -1;
      store.pid[slot] = 0;
    });
    return state === ABSENT ? 'new' : 'changed';
  }

  /**
   * The request file is gone. `delivered`: its file is complete in in/ (we
   * removed the request ourselves); a staged or landed request counts as
   * delivered anyway. Returns whether it was known.
   */
  forget(id: string, how: 'gone' | 'delivered' = 'gone'): boolean {
    const slot = this.store.slotOf(id);
    if (slot === undefined || this.store.state[slot] === ABSENT) return false;
    this.drop(slot, how === 'delivered');
    return true;
  }

  private drop(slot: number, delivered: boolean): void {
    const state = this.store.state[slot];
    const sinceMs = this.store.sinceMs[slot] as number;
    const landed = state === WORKING && this.landedSlots.has(slot);
    this.transition(slot, ABSENT);
    if (delivered || landed || state === STAGED) this.onDelivered(sinceMs);
  }

  /** dsmc reported the file of a WORKING request complete in in/; dCache takes it and removes the request next. */
  markLanded(id: string): void {
    const slot = this.store.slotOf(id);
    if (slot !== undefined && this.store.state[slot] === WORKING) this.landedSlots.add(slot);
  }

  /** Starts a full listing; mark each listed file with `seen`, then call endListing. */
  beginListing(): number {
    return ++this.listingGeneration;
  }

  /** observe() for a file of the listing `generation`. */
  seen(generation: number, id: string, mtimeMs: number, sizeBytes: number): ObserveResult {
    const slot = this.store.ensure(id);
    const result = this.observeSlot(slot, mtimeMs, sizeBytes);
    // observe() never releases a slot it was handed with a request present.
    this.store.seenGen[slot] = generation;
    return result;
  }

  /**
   * Forgets requests the listing did not see, and sends staged ones back to
   * be read again (their in/ file may be gone while the request stayed).
   * Returns how many were forgotten.
   */
  endListing(generation: number): number {
    const { store } = this;
    let forgotten = 0;
    for (let slot = 0; slot < store.extent; slot++) {
      if (!store.isUsed(slot)) continue;
      const state = store.state[slot];
      if (state === ABSENT) continue;
      if (store.seenGen[slot] !== generation) {
        this.drop(slot, false);
        forgotten++;
      } else if (state === STAGED) {
        this.transition(slot, UNREAD);
      }
    }
    return forgotten;
  }

  /** Up to `limit` unread request ids (continuing where the last call stopped). */
  unreadIds(limit: number): string[] {
    const { store } = this;
    const out: string[] = [];
    const extent = store.extent;
    if (limit <= 0 || this.unreadCount === 0 || extent === 0) return out;
    if (this.unreadCursor >= extent) this.unreadCursor = 0;
    const start = this.unreadCursor;
    let slot = start;
    do {
      if (store.state[slot] === UNREAD && store.isUsed(slot)) out.push(store.nameOf(slot));
      slot = slot + 1 >= extent ? 0 : slot + 1;
    } while (slot !== start && out.length < limit);
    this.unreadCursor = slot;
    return out;
  }

  /** Unread request ids of one volume. */
  unreadIdsOf(volume: string): string[] {
    const group = this.groups.indexOf(volume);
    if (group === undefined) return [];
    const out: string[] = [];
    for (const slot of this.groups.members(group)) if (this.store.state[slot] === UNREAD) out.push(this.store.nameOf(slot));
    return out;
  }

  /** Records what reading the JSON of `id` concluded, if the file did not change meanwhile. */
  markRead(id: string, mtimeMs: number, conclusion: ReadConclusion): void {
    const { store } = this;
    const slot = store.slotOf(id);
    if (slot === undefined || store.state[slot] !== UNREAD || store.mtimeMs[slot] !== mtimeMs) return;
    if (conclusion.kind === 'pending') {
      this.transition(slot, PENDING, () => {
        store.fileSize[slot] = conclusion.fileSizeBytes;
        store.pid[slot] = conclusion.parentPid ?? 0;
      });
    } else {
      this.transition(slot, conclusion.kind === 'ignored' ? IGNORED : INVALID);
    }
  }

  /** Distinct parent_pids of pending requests. */
  parentPids(): number[] {
    return [...this.pidCounts.keys()];
  }

  /** Pending requests naming `pid` (a full pass: only when that process died). */
  idsWithPid(pid: number): string[] {
    const { store } = this;
    const out: string[] = [];
    for (let slot = 0; slot < store.extent; slot++) {
      if (store.isUsed(slot) && store.state[slot] === PENDING && store.pid[slot] === pid) out.push(store.nameOf(slot));
    }
    return out;
  }

  fileSizeOf(id: string): number | null {
    const slot = this.store.slotOf(id);
    if (slot === undefined) return null;
    const size = this.store.fileSize[slot] as number;
    return size >= 0 ? size : null;
  }

  /** Pending requests of a volume become WORKING (out of their group). Returns those that were pending. */
  startWork(ids: readonly string[]): string[] {
    const taken: string[] = [];
    for (const id of ids) {
      const slot = this.store.slotOf(id);
      if (slot === undefined || this.store.state[slot] !== PENDING) continue;
      this.transition(slot, WORKING);
      taken.push(id);
    }
    return taken;
  }

  /** After a session: staged (waiting for dCache) or back to be read and retried. No-op if the request is gone. */
  endWork(id: string, outcome: 'staged' | 'retry'): void {
    const slot = this.store.slotOf(id);
    if (slot === undefined || this.store.state[slot] !== WORKING) return;
    this.transition(slot, outcome === 'staged' ? STAGED : UNREAD);
  }

  summaries(): VolumeSummary[] {
    return this.groups.summaries();
  }

  /** The pending requests of a volume, for planning a session. */
  requestsOf(volume: string): RequestInfo[] {
    const group = this.groups.indexOf(volume);
    if (group === undefined) return [];
    const out: RequestInfo[] = [];
    for (const slot of this.groups.members(group)) {
      out.push({ id: this.store.nameOf(slot), sizeBytes: this.bytesOf(slot), sinceMs: this.store.sinceMs[slot] as number, order: this.orderOf(slot) });
    }
    return out;
  }

  volumeOf(id: string): string {
    const slot = this.store.slotOf(id);
    return this.groups.nameOf(slot === undefined ? this.defaultGroup : this.groupOf(slot));
  }

  pendingTotals(): { files: number; bytes: number; volumes: number } {
    return this.groups.totals();
  }

  /**
   * Starts loading a hint file: entries handed to the returned function go
   * into a new table beside the hints in force, which stay in force (and the
   * groups as they are) until endHints. A broken or abandoned file thus
   * leaves the old hints untouched, and the file is read once.
   * `expectedEntries`: slots made room for at once (see planHintSlots).
   */
  beginHints(expectedEntries = 0): HintSink {
    this.store.reserve(expectedEntries);
    const building = new HintColumns(this.store.slotCapacity);
    this.building = building;
    const { store, groups } = this;
    const batch = new HintBatch(store, building, new VolumeByBytes((volid) => groups.intern(sanitizeVolumeName(volid))));
    this.buildingBatch = batch;
    return {
      entry: (entry) => {
        batch.flush();
        building.set(store.ensure(entry.id), groups.intern(entry.volume), entry);
      },
      plain: (bytes, member) => batch.add(bytes, member),
    };
  }

  /**
   * Ends the load begun by beginHints: `commit` puts its hints in force and
   * regroups every pending request (O(number of ids)); otherwise they are
   * dropped. Either way, slots that now hold neither a request nor a hint
   * are freed.
   */
  endHints(commit: boolean): void {
    const building = this.building;
    if (commit) this.buildingBatch?.flush();
    this.building = null;
    this.buildingBatch = null;
    if (building === null) return;
    if (commit) {
      this.detachAll();
      this.hints = building;
    }
    this.reattachAll(commit);
  }

  private detachAll(): void {
    this.groups.clearAll();
    const { store } = this;
    for (let slot = 0; slot < store.extent; slot++) if (store.isUsed(slot)) store.group[slot] = -1;
  }

  /** With `regroup`, regroups every pending request; frees slots that now hold neither a request nor a hint. */
  private reattachAll(regroup: boolean): void {
    const { store } = this;
    for (let slot = 0; slot < store.extent; slot++) {
      if (!store.isUsed(slot)) continue;
      if (store.state[slot] === ABSENT) {
        if (!this.hinted(slot)) store.release(slot);
      } else if (regroup) {
        this.join(slot);
      }
    }
  }
}
