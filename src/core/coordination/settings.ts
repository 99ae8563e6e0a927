import type { ConfigValues } from '../config/index.js';
import { parseConnectString, type ZooKeeperAddress } from './connect-string.js';

/** What an instance coordinates with, fixed at start (the keys need a restart). */
export interface CoordinationSettings {
  /** The connect string as configured. */
  readonly connectString: string;
  readonly address: ZooKeeperAddress;
  readonly group: string;
  /** Where the group name comes from. */
  readonly groupFrom: 'coordination_group' | '-asnode' | 'desc-short';
}

/** The group's session budget; read again before each session (the keys may be overridden). */
export interface BudgetLimits {
  readonly maxSessions: number;
  readonly archiveReserve: number;
}

/**
 * `-asnode=NODE` (dsmc takes the option abbreviated down to -asnode, in any
 * case) from the dsmc options; TSM node names are case-insensitive, so the
 * name is upper-cased. Pure.
 */
export function parseAsnode(dsmcopts: readonly string[]): string | null {
  for (const option of dsmcopts) {
    const value = /^-asnode(?:n(?:a(?:m(?:e)?)?)?)?=(.+)$/i.exec(option.trim())?.[1];
    if (value !== undefined) return value.replace(/^"(.*)"$/, '$1').toUpperCase();
  }
  return null;
}

/** Null when coordination_zookeeper is unset: the instance runs alone. Pure. */
export function coordinationSettings(values: ConfigValues): CoordinationSettings | null {
  const connectString = values.coordination_zookeeper;
  if (connectString === undefined) return null;
  const parsed = parseConnectString(connectString);
  // Validation rejected a bad string already; a daemon never starts with one.
  if (!parsed.ok) return null;
  const asnode = parseAsnode(values.dsmcopts);
  if (values.coordination_group !== undefined) return { connectString, address: parsed.address, group: values.coordination_group, groupFrom: 'coordination_group' };
  if (asnode !== null) return { connectString, address: parsed.address, group: asnode, groupFrom: '-asnode' };
  return { connectString, address: parsed.address, group: values['desc-short'], groupFrom: 'desc-short' };
}

/** The budget of the configuration in force; null when no budget is set. Pure. */
export function budgetLimitsOf(values: ConfigValues): BudgetLimits | null {
  const maxSessions = values.coordination_maxsessions;
  return maxSessions === undefined ? null : { maxSessions, archiveReserve: values.coordination_archivereserve };
}
