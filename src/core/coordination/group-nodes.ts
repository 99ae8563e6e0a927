import path from 'node:path';
import type { SessionKind } from './coordinator.js';
import type { GroupPaths } from './group-reader.js';
import { decodeNodeName, leaseNodePrefix, parseLeaseNodes, type LeaseNode } from './node-names.js';
import { isNodeExists, type ZkConnection } from './zk-connection.js';

/** Who this daemon is in the group; written into each of its nodes for `endit status --group`. */
export interface MemberInfo {
  readonly host: string;
  readonly pool: string;
  readonly daemon: string;
  readonly pid: number;
}

/** A lease this daemon holds, and what of it is in ZooKeeper. */
export interface HeldLease {
  readonly kind: SessionKind;
  readonly volume: string | null;
  readonly sinceMs: number;
  /** Its budget node; null while it is not in ZooKeeper (taken while coordination was lost, or the session expired). */
  nodePath: string | null;
  /** Its volume node in ZooKeeper is ours. */
  volumeNode: boolean;
}

/** The member a volume node's data names, if any. Pure. */
function holderOf(data: string | null): string | null {
  try {
    const member = (JSON.parse(data ?? 'null') as { member?: unknown } | null)?.member;
    return typeof member === 'string' ? member : null;
  } catch {
    return null;
  }
}

/** The nodes one daemon makes in its group: its member node, its leases, its volumes and their ends. */
export class GroupNodes {
  constructor(
    readonly paths: GroupPaths,
    /** The member key (host:pool:daemon, encoded) in every node name and record. */
    readonly member: string,
    private readonly info: MemberInfo & { readonly version: string },
    private readonly nowMs: () => number,
  ) {}

  /** The group's nodes, created with the ACL of the chroot (an administrator's), else open. */
  async prepare(conn: ZkConnection): Promise<void> {
    const { chroot } = this.paths;
    if (chroot !== '') {
      await conn.mkdirp(chroot);
      conn.acl = await conn.acls(chroot);
    }
    for (const dir of [this.paths.sessions, this.paths.volumes, this.paths.ended, this.paths.members]) await conn.mkdirp(dir);
  }

  async writeMember(conn: ZkConnection): Promise<void> {
    const node = `${this.paths.members}/${this.member}`;
    const { host, pool, daemon, pid, version } = this.info;
    // A node left by an earlier run of this daemon (its session not yet expired) is replaced.
    await conn.remove(node);
    await conn.create(node, JSON.stringify({ host, pool, daemon, pid, sinceMs: this.nowMs(), version }), 'ephemeral');
  }

  /** A new budget node; its path ends in ZooKeeper's sequence number. */
  createLease(conn: ZkConnection, kind: SessionKind, leaseNo: number, volume: string | null, sinceMs: number): Promise<string> {
    const { host, pool, daemon, pid } = this.info;
    const data = JSON.stringify({ host, pool, daemon, kind, volume, pid, sinceMs });
    return conn.create(`${this.paths.sessions}/${leaseNodePrefix(kind, this.member, leaseNo)}`, data, 'ephemeral-sequential');
  }

  /** The volume's lease; false when another instance reads it. */
  async takeVolume(conn: ZkConnection, volume: string): Promise<boolean> {
    try {
      await conn.create(this.paths.volume(volume), JSON.stringify({ member: this.member, sinceMs: this.nowMs() }), 'ephemeral');
      return true;
    } catch (error) {
      if (!isNodeExists(error)) throw error;
      return holderOf(await conn.data(this.paths.volume(volume))) === this.member;
    }
  }

  /** The end time first, so that whoever sees the volume free also sees that its tape is still mounted. */
  async giveBack(conn: ZkConnection, lease: HeldLease): Promise<void> {
    if (lease.volume !== null) await conn.put(this.paths.endedOf(lease.volume), JSON.stringify({ member: this.member, endMs: this.nowMs() }));
    if (lease.nodePath !== null) await conn.remove(lease.nodePath);
    if (lease.volume !== null && lease.volumeNode) await conn.remove(this.paths.volume(lease.volume));
  }

  /** This member's lease nodes among `leases` that `keep` does not want. */
  async removeStrayLeases(conn: ZkConnection, leases: readonly LeaseNode[], keep: (lease: LeaseNode) => boolean): Promise<void> {
    for (const lease of leases) if (lease.member === this.member && !keep(lease)) await conn.remove(`${this.paths.sessions}/${lease.name}`);
  }

  /**
   * Removes the nodes of this member that no held lease owns: given back
   * while ZooKeeper was unreachable, left by an earlier session (about to
   * expire) or by an earlier run of this daemon, whose dsmc sessions were
   * killed at start. Held leases not registered now are registered after.
   */
  async sweep(conn: ZkConnection, held: Iterable<HeldLease>, pending: ReadonlySet<number>): Promise<void> {
    const leases = [...held];
    const ours = new Set(leases.flatMap((lease) => (lease.nodePath === null ? [] : [path.posix.basename(lease.nodePath)])));
    const found = parseLeaseNodes(await conn.children(this.paths.sessions));
    await this.removeStrayLeases(conn, found, (lease) => ours.has(lease.name) || pending.has(lease.leaseNo));
    const registered = new Set(leases.flatMap((lease) => (lease.volumeNode && lease.volume !== null ? [lease.volume] : [])));
    for (const name of await conn.children(this.paths.volumes)) {
      const volume = decodeNodeName(name);
      if (registered.has(volume) || holderOf(await conn.data(this.paths.volume(volume))) !== this.member) continue;
      await conn.remove(this.paths.volume(volume));
    }
  }
}
