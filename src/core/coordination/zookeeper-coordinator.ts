import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/index.js';
import { countBudgetUse, decideLeaseKept } from './budget.js';
import { LOCAL_GROUP_VIEW, WAITING_GROUP_VIEW, type CoordinationState, type CoordinationStatus, type Coordinator, type GroupView, type Lease, type LeaseRequest, type SessionKind } from './coordinator.js';
import { GroupPaths, listingsDiffer, readGroupListing } from './group-reader.js';
import { EMPTY_LISTING, planGroupView, type GroupListing } from './group-view.js';
import { decodeNodeName, leaseNodePrefix, memberKey, parseLeaseNodes } from './node-names.js';
import type { BudgetLimits, CoordinationSettings } from './settings.js';
import { isNodeExists, ZkConnection, type ZkState } from './zk-connection.js';

/** How long ZooKeeper keeps a vanished instance's leases: a crashed daemon's sessions count this long at most. */
export const SESSION_TIMEOUT_MS = 15_000;
/** Ending the ZooKeeper session at a stop waits at most this long. */
const CLOSE_TIMEOUT_MS = 2000;

/** Who this daemon is in the group; written into each of its nodes for `endit status --group`. */
export interface MemberInfo {
  readonly host: string;
  readonly pool: string;
  readonly daemon: string;
  readonly pid: number;
}

export interface ZooKeeperCoordinatorOptions {
  readonly settings: CoordinationSettings;
  readonly member: MemberInfo;
  /** Read before every session: the keys may be overridden. */
  readonly limits: () => BudgetLimits;
  /** How long ZooKeeper may stay unreachable before local limits apply (sleeptime). */
  readonly graceMs: () => number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  readonly nowMs?: () => number;
  readonly sessionTimeoutMs?: number;
  readonly version?: string;
}

interface HeldLease {
  readonly kind: SessionKind;
  readonly volume: string | null;
  readonly sinceMs: number;
  /** Its budget node; null while it is not in ZooKeeper (taken while coordination was lost, or the session expired). */
  nodePath: string | null;
  /** Its volume node in ZooKeeper is ours. */
  volumeNode: boolean;
}

/**
 * The group's budget and volume leases in ZooKeeper (see coordinator.ts and
 * README "Several pools on one TSM node"). Until it has joined, and for
 * `graceMs` after the connection drops, no new session may start; then the
 * local limits apply (`coordination_lost`) until it rejoins
 * (`coordination_restored`), when the leases taken meanwhile are
 * registered. Running sessions are never touched.
 */
export class ZooKeeperCoordinator implements Coordinator {
  readonly #paths: GroupPaths;
  readonly #member: string;
  readonly #nowMs: () => number;
  #mode: CoordinationState = 'waiting';
  #conn: ZkConnection | null = null;
  #sessionId: string | null = null;
  #listing: GroupListing = EMPTY_LISTING;
  readonly #held = new Map<number, HeldLease>();
  readonly #pending = new Set<number>();
  #nextLeaseNo: number;
  readonly #listeners: (() => void)[] = [];
  #lossTimer: NodeJS.Timeout | null = null;
  #tickTimer: NodeJS.Timeout | null = null;
  #lostReason = 'ZooKeeper has not answered yet';
  #joining: Promise<void> | null = null;
  #refreshing = false;
  #refreshAgain = false;
  #joinedOnce = false;
  #closed = false;
  /** One function for every watch, so the client registers it once per path. */
  readonly #onWatch = (): void => void this.#refresh();

  constructor(private readonly options: ZooKeeperCoordinatorOptions) {
    this.#paths = new GroupPaths(options.settings.address.chroot, options.settings.group);
    this.#member = memberKey(options.member.host, options.member.pool, options.member.daemon);
    this.#nowMs = options.nowMs ?? Date.now;
    // Unique across restarts: a lease node of an earlier run of this daemon is never taken for one of ours.
    this.#nextLeaseNo = this.#nowMs() * 100;
  }

  /** Connects; sessions wait until the group is joined or `graceMs` has passed. */
  start(): this {
    this.#connect();
    this.#startLossTimer();
    this.#scheduleTick();
    return this;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  status(): CoordinationStatus {
    const sessionsInUse = this.#mode === 'coordinated' ? this.#listing.leases.length : 0;
    return { state: this.#mode, group: this.options.settings.group, sessionsInUse };
  }

  groupView(): GroupView {
    if (this.#mode === 'lost' || this.#closed) return LOCAL_GROUP_VIEW;
    if (this.#mode !== 'coordinated') return WAITING_GROUP_VIEW;
    return planGroupView(this.#listing, { member: this.#member, volumes: this.#heldVolumes() }, this.options.limits());
  }

  async acquire(request: LeaseRequest): Promise<Lease | null> {
    const conn = this.#conn;
    if (this.#closed) return null;
    if (this.#mode === 'lost') return this.#hold(request, null, false);
    if (this.#mode !== 'coordinated' || conn === null) return null;
    try {
      return await this.#acquireInGroup(conn, request);
    } catch (error) {
      this.options.logger.debug(`Coordination: no lease for a ${request.kind} session: ${errorMessage(error)}`);
      this.#suspend(`ZooKeeper: ${errorMessage(error)}`);
      return null;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#lossTimer !== null) clearTimeout(this.#lossTimer);
    if (this.#tickTimer !== null) clearTimeout(this.#tickTimer);
    const conn = this.#conn;
    this.#conn = null;
    // Ending the session removes every ephemeral node of ours at once.
    await conn?.close(CLOSE_TIMEOUT_MS);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }

  #heldVolumes(): Set<string> {
    const volumes = new Set<string>();
    for (const lease of this.#held.values()) if (lease.volume !== null) volumes.add(lease.volume);
    return volumes;
  }

  #connect(): void {
    const conn = new ZkConnection(this.options.settings.address.servers, this.options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS, (state) => this.#onState(conn, state));
    this.#conn = conn;
    conn.connect();
  }

  #onState(conn: ZkConnection, state: ZkState): void {
    if (conn !== this.#conn || this.#closed) return;
    if (state === 'connected') {
      void this.#join();
      return;
    }
    if (state === 'disconnected') this.#suspend(`lost the connection to ZooKeeper (${this.options.settings.connectString})`);
    else this.#suspend(state === 'expired' ? 'the ZooKeeper session expired' : 'ZooKeeper refused the session (authentication)');
    if (state === 'expired' || state === 'auth-failed') {
      // The client stays closed after these: a new one (a new session) now, or after an authentication failure at the next tick.
      void conn.close(0);
      this.#conn = null;
      if (state === 'expired') this.#connect();
    }
  }

  /** No new session until ZooKeeper answers again, or `graceMs` has passed. */
  #suspend(reason: string): void {
    this.#lostReason = reason;
    if (this.#mode === 'coordinated') {
      this.#mode = 'waiting';
      this.#emit();
    }
    if (this.#mode === 'waiting') this.#startLossTimer();
  }

  #startLossTimer(): void {
    if (this.#lossTimer !== null) return;
    this.#lossTimer = setTimeout(() => {
      this.#lossTimer = null;
      if (this.#mode !== 'waiting' || this.#closed) return;
      this.#mode = 'lost';
      this.options.logger.warn(
        'coordination_lost',
        `Coordination of group ${this.options.settings.group} lost: ${this.#lostReason}; going on under local limits until ZooKeeper answers again`,
      );
      this.#emit();
    }, this.options.graceMs());
    this.#lossTimer.unref();
  }

  /**
   * Every second while not joined: connect again after an authentication
   * failure, join again when connected (a join that failed). Joined, every
   * sleeptime: read the group again, in case a watch went missing.
   */
  #scheduleTick(): void {
    const periodMs = this.#mode === 'coordinated' ? Math.min(60_000, Math.max(1000, this.options.graceMs())) : 1000;
    this.#tickTimer = setTimeout(() => {
      if (this.#closed) return;
      if (this.#conn === null) this.#connect();
      else if (this.#conn.connected) void (this.#mode === 'coordinated' ? this.#refresh() : this.#join());
      this.#scheduleTick();
    }, periodMs);
    this.#tickTimer.unref();
  }

  #join(): Promise<void> {
    this.#joining ??= this.#joinNow().finally(() => (this.#joining = null));
    return this.#joining;
  }

  async #joinNow(): Promise<void> {
    const conn = this.#conn;
    if (conn === null || !conn.connected || this.#mode === 'coordinated') return;
    try {
      if (conn.sessionId !== this.#sessionId) this.#forgetRegistrations(conn.sessionId);
      await this.#prepare(conn);
      await this.#writeMember(conn);
      await this.#sweepOwn(conn);
      await this.#registerHeld(conn);
      this.#listing = await readGroupListing(conn, this.#paths, EMPTY_LISTING, this.#onWatch, this.#nowMs());
    } catch (error) {
      this.#suspend(`ZooKeeper: ${errorMessage(error)}`);
      this.options.logger.debug(`Coordination: cannot join group ${this.options.settings.group}: ${errorMessage(error)}`);
      return;
    }
    this.#joined();
  }

  #joined(): void {
    if (this.#lossTimer !== null) clearTimeout(this.#lossTimer);
    this.#lossTimer = null;
    const wasLost = this.#mode === 'lost';
    this.#mode = 'coordinated';
    const { settings } = this.options;
    const limits = this.options.limits();
    const budget = `${this.#listing.leases.length} of ${limits.maxSessions} sessions in use, ${limits.archiveReserve} reserved for archives`;
    if (wasLost) this.options.logger.info(`Coordination of group ${settings.group} restored: ${budget}`, 'coordination_restored');
    else if (!this.#joinedOnce) this.options.logger.info(`Coordinating with group ${settings.group} (from ${settings.groupFrom}) through ZooKeeper ${settings.connectString}: ${budget}`);
    this.#joinedOnce = true;
    this.#emit();
  }

  /** A new ZooKeeper session: the old one's nodes are gone, every held lease is registered again. */
  #forgetRegistrations(sessionId: string): void {
    this.#sessionId = sessionId;
    this.#listing = EMPTY_LISTING;
    for (const lease of this.#held.values()) {
      lease.nodePath = null;
      lease.volumeNode = false;
    }
  }

  /** The group's nodes, created with the ACL of the chroot (an administrator's), else open. */
  async #prepare(conn: ZkConnection): Promise<void> {
    const { chroot } = this.#paths;
    if (chroot !== '') {
      await conn.mkdirp(chroot);
      conn.acl = await conn.acls(chroot);
    }
    for (const dir of [this.#paths.sessions, this.#paths.volumes, this.#paths.ended, this.#paths.members]) await conn.mkdirp(dir);
  }

  async #writeMember(conn: ZkConnection): Promise<void> {
    const node = `${this.#paths.members}/${this.#member}`;
    const { host, pool, daemon, pid } = this.options.member;
    // A node left by an earlier run of this daemon (its session not yet expired) is replaced.
    await conn.remove(node);
    await conn.create(node, JSON.stringify({ host, pool, daemon, pid, sinceMs: this.#nowMs(), version: this.options.version ?? '' }), 'ephemeral');
  }

  /**
   * Removes the nodes of this member that no held lease owns: given back
   * while ZooKeeper was unreachable, or left by an earlier run of this
   * daemon, whose dsmc sessions were killed at start.
   */
  async #sweepOwn(conn: ZkConnection): Promise<void> {
    const ours = new Set([...this.#held.values()].flatMap((lease) => (lease.nodePath === null ? [] : [path.posix.basename(lease.nodePath)])));
    for (const lease of parseLeaseNodes(await conn.children(this.#paths.sessions))) {
      if (lease.member === this.#member && !ours.has(lease.name) && !this.#pending.has(lease.leaseNo)) await conn.remove(`${this.#paths.sessions}/${lease.name}`);
    }
    const volumes = this.#heldVolumes();
    for (const name of await conn.children(this.#paths.volumes)) {
      const volume = decodeNodeName(name);
      if (this.#holderOf(await conn.data(this.#paths.volume(volume))) !== this.#member) continue;
      if (volumes.has(volume)) for (const lease of this.#held.values()) lease.volumeNode ||= lease.volume === volume;
      else await conn.remove(this.#paths.volume(volume));
    }
  }

  #holderOf(data: string | null): string | null {
    try {
      const member = (JSON.parse(data ?? 'null') as { member?: unknown } | null)?.member;
      return typeof member === 'string' ? member : null;
    } catch {
      return null;
    }
  }

  /** Leases taken without ZooKeeper count again: they run, whatever the budget says now. */
  async #registerHeld(conn: ZkConnection): Promise<void> {
    for (const lease of this.#held.values()) {
      lease.nodePath ??= await conn.create(this.#leasePrefix(lease.kind), this.#leaseData(lease.kind, lease.volume, lease.sinceMs), 'ephemeral-sequential');
      if (lease.volume === null || lease.volumeNode) continue;
      lease.volumeNode = await this.#takeVolume(conn, lease.volume);
      if (!lease.volumeNode) this.options.logger.info(`Coordination: volume ${lease.volume} is read by another instance too (both sessions started while ZooKeeper was unreachable)`);
    }
  }

  #leasePrefix(kind: SessionKind, leaseNo = this.#nextLeaseNo++): string {
    return `${this.#paths.sessions}/${leaseNodePrefix(kind, this.#member, leaseNo)}`;
  }

  #leaseData(kind: SessionKind, volume: string | null, sinceMs: number): string {
    const { host, pool, daemon, pid } = this.options.member;
    return JSON.stringify({ host, pool, daemon, kind, volume, pid, sinceMs });
  }

  /** The volume's lease; false when another instance reads it. */
  async #takeVolume(conn: ZkConnection, volume: string): Promise<boolean> {
    try {
      await conn.create(this.#paths.volume(volume), JSON.stringify({ member: this.#member, sinceMs: this.#nowMs() }), 'ephemeral');
      return true;
    } catch (error) {
      if (!isNodeExists(error)) throw error;
      return this.#holderOf(await conn.data(this.#paths.volume(volume))) === this.#member;
    }
  }

  /** Volume first, then a budget node, kept only if the budget allows it counting every lease ahead of it. */
  async #acquireInGroup(conn: ZkConnection, request: LeaseRequest): Promise<Lease | null> {
    const leaseNo = this.#nextLeaseNo++;
    const volume = request.volume ?? null;
    const sinceMs = this.#nowMs();
    this.#pending.add(leaseNo);
    let volumeNode = false;
    let nodePath: string | null = null;
    try {
      if (volume !== null && !(volumeNode = await this.#takeVolume(conn, volume))) return null;
      nodePath = await conn.create(this.#leasePrefix(request.kind, leaseNo), this.#leaseData(request.kind, volume, sinceMs), 'ephemeral-sequential');
      const leases = parseLeaseNodes(await conn.children(this.#paths.sessions));
      this.#listing = { ...this.#listing, leases };
      const mine = leases.find((lease) => lease.name === path.posix.basename(nodePath as string));
      const ahead = countBudgetUse(leases.filter((lease) => mine !== undefined && lease.seq < mine.seq).map((lease) => lease.kind));
      if (mine !== undefined && decideLeaseKept(request.kind, ahead, this.options.limits())) {
        const lease = this.#hold(request, nodePath, volumeNode);
        nodePath = null;
        volumeNode = false;
        return lease;
      }
      return null;
    } finally {
      this.#pending.delete(leaseNo);
      // Not kept (over the budget, or a request failed): what was created goes again.
      if (nodePath !== null) await conn.remove(nodePath).catch(() => undefined);
      if (volumeNode && volume !== null) await conn.remove(this.#paths.volume(volume)).catch(() => undefined);
    }
  }

  #hold(request: LeaseRequest, nodePath: string | null, volumeNode: boolean): Lease {
    const leaseNo = this.#nextLeaseNo++;
    const volume = request.volume ?? null;
    this.#held.set(leaseNo, { kind: request.kind, volume, sinceMs: this.#nowMs(), nodePath, volumeNode });
    return { kind: request.kind, volume, release: () => this.#release(leaseNo) };
  }

  #release(leaseNo: number): void {
    const lease = this.#held.get(leaseNo);
    if (lease === undefined) return;
    this.#held.delete(leaseNo);
    const conn = this.#conn;
    // Not connected: the next join removes what is left of it (or it went with an expired session).
    if (this.#mode !== 'coordinated' || conn === null) return;
    this.#giveBack(conn, lease).catch((error: unknown) => this.options.logger.debug(`Coordination: giving back a ${lease.kind} lease: ${errorMessage(error)}`));
  }

  /** The end time first, so that whoever sees the volume free also sees that its tape is still mounted. */
  async #giveBack(conn: ZkConnection, lease: HeldLease): Promise<void> {
    if (lease.volume !== null) await conn.put(this.#paths.endedOf(lease.volume), JSON.stringify({ member: this.#member, endMs: this.#nowMs() }));
    if (lease.nodePath !== null) await conn.remove(lease.nodePath);
    if (lease.volume !== null && lease.volumeNode) await conn.remove(this.#paths.volume(lease.volume));
  }

  /** Reads the group again (a watch fired); runs once more when asked meanwhile. */
  async #refresh(): Promise<void> {
    const conn = this.#conn;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    if (conn === null || this.#mode !== 'coordinated') return;
    this.#refreshing = true;
    try {
      do {
        this.#refreshAgain = false;
        const next = await readGroupListing(conn, this.#paths, this.#listing, this.#onWatch, this.#nowMs());
        const changed = listingsDiffer(this.#listing, next);
        this.#listing = next;
        if (changed) this.#emit();
      } while (this.#refreshAgain);
    } catch (error) {
      this.#suspend(`ZooKeeper: ${errorMessage(error)}`);
    } finally {
      this.#refreshing = false;
    }
  }
}
