import type { CoordinationStatus, Coordinator, GroupView, Lease, LeaseRequest } from '../../../src/core/coordination/index.js';

/** A coordinator whose answers the test sets: free slots per view, and whether acquire grants. */
export class FakeCoordinator implements Coordinator {
  slots = 1;
  grant = true;
  busy = new Set<string>();
  readonly requests: LeaseRequest[] = [];
  readonly held = new Set<Lease>();
  released = 0;
  private readonly listeners: (() => void)[] = [];

  async acquire(request: LeaseRequest): Promise<Lease | null> {
    this.requests.push(request);
    if (!this.grant) return null;
    let given = false;
    const lease: Lease = {
      kind: request.kind,
      volume: request.volume ?? null,
      release: () => {
        if (given) return;
        given = true;
        this.held.delete(lease);
        this.released++;
      },
    };
    this.held.add(lease);
    return lease;
  }

  groupView(): GroupView {
    return { slots: { archive: this.slots, retrieve: this.slots, delete: this.slots }, busyVolumes: this.busy, endedVolumes: new Map() };
  }

  status(): CoordinationStatus {
    return { state: 'coordinated', group: 'FAKE', sessionsInUse: this.held.size };
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The group changed (as a ZooKeeper watch would say). */
  change(): void {
    for (const listener of this.listeners) listener();
  }

  async close(): Promise<void> {}
}
