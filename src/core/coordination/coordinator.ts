/**
 * How the daemons of several pools that share one TSM node share its
 * sessions (issue 12). A daemon asks before each dsmc session "may a session
 * of this kind (for this volume) start now?" and gets a lease or must wait;
 * its policies see the group only as plain data (GroupView). Without
 * coordination_zookeeper the LocalCoordinator always says yes: the local
 * limits alone apply, as before.
 */

export type SessionKind = 'archive' | 'retrieve' | 'delete';

export const SESSION_KINDS: readonly SessionKind[] = ['archive', 'retrieve', 'delete'];

export interface LeaseRequest {
  readonly kind: SessionKind;
  /** A retrieve session's volume: at most one session per volume across the group. */
  readonly volume?: string;
}

/** The right to run one dsmc session; given back when the session ends. */
export interface Lease {
  readonly kind: SessionKind;
  readonly volume: string | null;
  /** Gives it back; a second call does nothing. The group sees it at once (or when ZooKeeper is back). */
  release(): void;
}

/** What the policies see of the group: plain data. */
export interface GroupView {
  /** Sessions of each kind the group's budget lets start now; Infinity when only local limits apply. */
  readonly slots: Readonly<Record<SessionKind, number>>;
  /** Volumes another instance of the group is reading now. */
  readonly busyVolumes: ReadonlySet<string>;
  /** Volumes whose last session on another instance has ended, and when (its tape may still be mounted). */
  readonly endedVolumes: ReadonlyMap<string, number>;
}

/**
 * local: no coordination configured; coordinated: ZooKeeper answers and the
 * group's budget applies; waiting: not connected yet or connection lost for
 * less than the grace time (no new session starts); lost: ZooKeeper has been
 * unreachable longer than that, local limits apply until it is back.
 */
export type CoordinationState = 'local' | 'coordinated' | 'waiting' | 'lost';

export interface CoordinationStatus {
  readonly state: CoordinationState;
  /** null when no coordination is configured. */
  readonly group: string | null;
  /** Sessions the group runs now, as last seen (0 when not coordinated). */
  readonly sessionsInUse: number;
}

export interface Coordinator {
  /** A lease when the session may start now; null when it must wait. Never throws. */
  acquire(request: LeaseRequest): Promise<Lease | null>;
  groupView(): GroupView;
  status(): CoordinationStatus;
  /** Called when the group changed (a session came or went elsewhere, coordination lost or restored). */
  onChange(listener: () => void): void;
  /** Gives back what is held in ZooKeeper and disconnects (running sessions are not touched). */
  close(): Promise<void>;
}

export const LOCAL_GROUP_VIEW: GroupView = Object.freeze({
  slots: Object.freeze({ archive: Infinity, retrieve: Infinity, delete: Infinity }),
  busyVolumes: new Set<string>(),
  endedVolumes: new Map<string, number>(),
});

/** No session may start: not connected yet, or the connection just dropped. */
export const WAITING_GROUP_VIEW: GroupView = Object.freeze({
  slots: Object.freeze({ archive: 0, retrieve: 0, delete: 0 }),
  busyVolumes: new Set<string>(),
  endedVolumes: new Map<string, number>(),
});

/** A lease nobody else needs to hear about. */
function localLease(request: LeaseRequest): Lease {
  return { kind: request.kind, volume: request.volume ?? null, release: () => undefined };
}

/** Today's behaviour: every session may start; the local limits are the only ones. */
class LocalCoordinator implements Coordinator {
  async acquire(request: LeaseRequest): Promise<Lease> {
    return localLease(request);
  }

  groupView(): GroupView {
    return LOCAL_GROUP_VIEW;
  }

  status(): CoordinationStatus {
    return { state: 'local', group: null, sessionsInUse: 0 };
  }

  onChange(): void {}

  async close(): Promise<void> {}
}

export const LOCAL_COORDINATOR: Coordinator = new LocalCoordinator();
