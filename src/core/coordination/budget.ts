import type { SessionKind } from './coordinator.js';
import type { BudgetLimits } from './settings.js';

/** Sessions counted against the group's budget. */
export interface BudgetUse {
  readonly total: number;
  /** Retrieve and delete sessions: they may not take the archive reserve. */
  readonly nonArchive: number;
}

/** Pure. */
export function countBudgetUse(kinds: Iterable<SessionKind>): BudgetUse {
  let total = 0;
  let nonArchive = 0;
  for (const kind of kinds) {
    total++;
    if (kind !== 'archive') nonArchive++;
  }
  return { total, nonArchive };
}

/**
 * How many more sessions of `kind` the group's budget lets start: any kind
 * up to coordination_maxsessions in all, and recalls and deletes only up to
 * maxsessions minus the archive reserve among themselves, so that the last
 * `archiveReserve` sessions are always there for archiving. Pure.
 */
export function planBudgetSlots(kind: SessionKind, use: BudgetUse, limits: BudgetLimits): number {
  const free = limits.maxSessions - use.total;
  if (kind === 'archive') return Math.max(0, free);
  return Math.max(0, Math.min(free, limits.maxSessions - limits.archiveReserve - use.nonArchive));
}

/**
 * Whether a new lease may be kept: it counts every lease ahead of it (a
 * lower sequence number, so created earlier) and nothing after it. Each
 * holder has checked every lease ahead of it that still exists, so held
 * leases never exceed the budget, nor recalls and deletes the part outside
 * the reserve, however many instances race. Pure.
 */
export function decideLeaseKept(kind: SessionKind, ahead: BudgetUse, limits: BudgetLimits): boolean {
  return planBudgetSlots(kind, ahead, limits) > 0;
}
