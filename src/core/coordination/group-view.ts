import { countBudgetUse, planBudgetSlots } from './budget.js';
import { SESSION_KINDS, type GroupView, type SessionKind } from './coordinator.js';
import type { LeaseNode } from './node-names.js';
import type { BudgetLimits } from './settings.js';

/** `volumes-ended/<volume>`: who ended the last session on a volume, and when. */
export interface EndedRecord {
  readonly member: string;
  readonly endMs: number;
}

/** The group as last listed in ZooKeeper. */
export interface GroupListing {
  /** In sequence order. */
  readonly leases: readonly LeaseNode[];
  /** Volumes with a volume lease (someone reads them now). */
  readonly volumes: readonly string[];
  readonly ended: ReadonlyMap<string, EndedRecord>;
}

export const EMPTY_LISTING: GroupListing = { leases: [], volumes: [], ended: new Map() };

/** What this instance holds itself: its own volumes and ends are no news to it. */
export interface OwnPart {
  readonly member: string;
  readonly volumes: ReadonlySet<string>;
}

/** The policies' view of a listing. Pure. */
export function planGroupView(listing: GroupListing, own: OwnPart, limits: BudgetLimits): GroupView {
  const use = countBudgetUse(listing.leases.map((lease) => lease.kind));
  const slots = Object.fromEntries(SESSION_KINDS.map((kind) => [kind, planBudgetSlots(kind, use, limits)])) as Record<SessionKind, number>;
  const busyVolumes = new Set(listing.volumes.filter((volume) => !own.volumes.has(volume)));
  const endedVolumes = new Map<string, number>();
  for (const [volume, record] of listing.ended) {
    if (record.member !== own.member && !busyVolumes.has(volume) && !own.volumes.has(volume)) endedVolumes.set(volume, record.endMs);
  }
  return { slots, busyVolumes, endedVolumes };
}

/** Ended records older than `maxAgeMs` (nobody's tape is still mounted from them): removed by whoever sees them. Pure. */
export function planEndedPrune(ended: ReadonlyMap<string, EndedRecord>, nowMs: number, maxAgeMs: number): string[] {
  return [...ended].filter(([, record]) => nowMs - record.endMs > maxAgeMs).map(([volume]) => volume);
}

/** An ended record's data, or null when it is not one (written by hand, cut short). Pure. */
export function parseEndedRecord(data: string): EndedRecord | null {
  try {
    const parsed = JSON.parse(data) as { member?: unknown; endMs?: unknown };
    if (typeof parsed.member !== 'string' || typeof parsed.endMs !== 'number' || !Number.isFinite(parsed.endMs)) return null;
    return { member: parsed.member, endMs: parsed.endMs };
  } catch {
    return null;
  }
}
