import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/index.js';
import { countBudgetUse, decideLeaseKept } from './budget.js';
import { LOCAL_GROUP_VIEW, WAITING_GROUP_VIEW, type CoordinationState, type CoordinationStatus, type Coordinator, type GroupView, type Lease, type LeaseRequest } from './coordinator.js';
import { GroupNodes, type HeldLease, type MemberInfo } from './group-nodes.js';
import { GroupPaths, listingsDiffer, readGroupListing } from './group-reader.js';
import { EMPTY_LISTING, planGroupView, type GroupListing } from './group-view.js';
import { memberKey, parseLeaseNodes } from './node-names.js';
import type { BudgetLimits, CoordinationSettings } from './settings.js';
import { ZkConnection, type ZkState } from './zk-connection.js';

/** How long ZooKeeper keeps a vanished instance's leases: a crashed daemon's sessions count this long at most. */
const SESSION_TIMEOUT_MS = 15_000;
/** Ending the ZooKeeper session at a stop waits at most this long. */
const CLOSE_TIMEOUT_MS = 2000;

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

/**
 * The group's budget and volume leases in ZooKeeper (see coordinator.ts and
 * README "Several pools on one TSM node"). Until it has joined, and for
 * `graceMs` after the connection drops, no new session may start; then the
 * local limits apply (`coordination_lost`) until it rejoins
 * (`coordination_restored`), when the leases taken meanwhile are
 * registered. Running sessions are never touched.
 */
export class ZooKeeperCoordinator implements Coordinator {
  readonly #nodes: GroupNodes;
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
  /** Since when the client has had no connection; null while connected. */
  #unconnectedSinceMs: number | null = null;
  #joining: Promise<void> | null = null;
  #refreshing = false;
  #refreshAgain = false;
  #joinedOnce = false;
  #closed = false;
  /** One function for every watch, so the client registers it once per path. */
  readonly #onWatch = (): void => void this.#refresh();

  constructor(private readonly options: ZooKeeperCoordinatorOptions) {
    this.#nowMs = options.nowMs ?? Date.now;
    const paths = new GroupPaths(options.settings.address.chroot, options.settings.group);
    const member = memberKey(options.member.host, options.member.pool, options.member.daemon);
    this.#nodes = new GroupNodes(paths, member, { ...options.member, version: options.version ?? '' }, this.#nowMs);
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
    return planGroupView(this.#listing, { member: this.#nodes.member, volumes: this.#heldVolumes() }, this.options.limits());
  }

  async acquire(request: LeaseRequest): Promise<Lease | null> {
    const conn = this.#conn;
    if (this.#closed) return null;
    // Rejoining: the leases held are being registered; one taken now would be missed. A moment's wait.
    if (this.#mode === 'lost') return this.#joining === null ? this.#hold(request, null, false) : null;
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
    const conn = new ZkConnection(this.options.settings.address.servers, this.#sessionTimeoutMs(), (state) => this.#onState(conn, state));
    this.#conn = conn;
    this.#unconnectedSinceMs = this.#nowMs();
    conn.connect();
  }

  #sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS;
  }

  /**
   * No connection for a whole session timeout: the server has expired the
   * session anyway, and the client may be stuck on a connection a restarting
   * server never answers. A new client, a new session.
   */
  #replaceIfStuck(): void {
    const since = this.#unconnectedSinceMs;
    if (this.#conn === null || since === null || this.#nowMs() - since < this.#sessionTimeoutMs()) return;
    this.options.logger.debug(`Coordination: no connection to ZooKeeper for ${Math.round((this.#nowMs() - since) / 1000)} s: a new client`);
    this.#conn.abandon();
    this.#connect();
  }

  #onState(conn: ZkConnection, state: ZkState): void {
    if (conn !== this.#conn || this.#closed) return;
    this.options.logger.debug(`Coordination: ZooKeeper session ${conn.sessionId}: ${state}`);
    if (state === 'connected') {
      this.#unconnectedSinceMs = null;
      void this.#join();
      return;
    }
    this.#unconnectedSinceMs ??= this.#nowMs();
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
      // Connected and joining (a slow start on a busy host): ZooKeeper answers, its requests have their own time limits.
      if (this.#joining !== null && this.#conn?.connected === true) return this.#startLossTimer();
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
      else this.#replaceIfStuck();
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
      await this.#nodes.prepare(conn);
      await this.#nodes.writeMember(conn);
      await this.#nodes.sweep(conn, this.#held.values(), this.#pending);
      await this.#registerHeld(conn);
      this.#listing = await readGroupListing(conn, this.#nodes.paths, EMPTY_LISTING, this.#onWatch, this.#nowMs());
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

  /**
   * Leases taken without ZooKeeper count again: they run, whatever the
   * budget says now. One given back meanwhile has its new nodes removed.
   */
  async #registerHeld(conn: ZkConnection): Promise<void> {
    for (const [leaseNo, lease] of [...this.#held]) {
      const stillHeld = (): boolean => this.#held.get(leaseNo) === lease;
      if (lease.nodePath === null) {
        const created = await this.#nodes.createLease(conn, lease.kind, this.#nextLeaseNo++, lease.volume, lease.sinceMs);
        if (stillHeld()) lease.nodePath = created;
        else await conn.remove(created);
      }
      if (lease.volume === null || lease.volumeNode || !stillHeld()) continue;
      const taken = await this.#nodes.takeVolume(conn, lease.volume);
      if (!taken) this.options.logger.info(`Coordination: volume ${lease.volume} is read by another instance too (both sessions started while ZooKeeper was unreachable)`);
      if (stillHeld()) lease.volumeNode = taken;
      else if (taken) await conn.remove(this.#nodes.paths.volume(lease.volume));
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
      if (volume !== null && !(volumeNode = await this.#nodes.takeVolume(conn, volume))) return null;
      nodePath = await this.#nodes.createLease(conn, request.kind, leaseNo, volume, sinceMs);
      const leases = parseLeaseNodes(await conn.children(this.#nodes.paths.sessions));
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
      if (volumeNode && volume !== null) await conn.remove(this.#nodes.paths.volume(volume)).catch(() => undefined);
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
    this.#nodes.giveBack(conn, lease).catch((error: unknown) => this.options.logger.debug(`Coordination: giving back a ${lease.kind} lease: ${errorMessage(error)}`));
  }

  /**
   * A lease node of ours that no held lease owns (its release could not
   * reach ZooKeeper) would take a session of the group for good: removed.
   * Not while joining, when held leases are being registered.
   */
  async #removeStrays(conn: ZkConnection, listing: GroupListing): Promise<void> {
    const ours = new Set([...this.#held.values()].flatMap((lease) => (lease.nodePath === null ? [] : [path.posix.basename(lease.nodePath)])));
    await this.#nodes.removeStrayLeases(conn, listing.leases, (lease) => this.#joining !== null || ours.has(lease.name) || this.#pending.has(lease.leaseNo));
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
        const next = await readGroupListing(conn, this.#nodes.paths, this.#listing, this.#onWatch, this.#nowMs());
        const changed = listingsDiffer(this.#listing, next);
        this.#listing = next;
        if (changed) this.#emit();
        await this.#removeStrays(conn, next);
      } while (this.#refreshAgain);
    } catch (error) {
      this.#suspend(`ZooKeeper: ${errorMessage(error)}`);
    } finally {
      this.#refreshing = false;
    }
  }
}
