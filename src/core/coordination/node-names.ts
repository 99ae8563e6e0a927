import { SESSION_KINDS, type SessionKind } from './coordinator.js';

/**
 * Names of the nodes under `<chroot>/<group>/`. Everything that comes from
 * outside (group, volume, host and pool names) is encoded so that any text
 * makes one safe ZooKeeper node name: [A-Za-z0-9_-] stay, every other byte
 * becomes %XX (so `/`, `.` and `..` never occur).
 */

const KEEP = /^[A-Za-z0-9_-]$/;

/** Pure. */
export function encodeNodeName(text: string): string {
  let out = '';
  for (const char of text) {
    if (KEEP.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out === '' ? '%' : out;
}

/** The text an encoded name stands for; the name itself when it is not one of ours. Pure. */
export function decodeNodeName(name: string): string {
  if (name === '%') return '';
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** `host:pool:daemon`, encoded: one instance of a daemon in the group. */
export function memberKey(host: string, pool: string, daemon: string): string {
  return encodeNodeName(`${host}:${pool}:${daemon}`);
}

/** One budget lease as its node name tells it. */
export interface LeaseNode {
  readonly name: string;
  readonly kind: SessionKind;
  readonly member: string;
  /** The holder's own number for it (to find leases it no longer holds). */
  readonly leaseNo: number;
  /** ZooKeeper's sequence number: first come, first served. */
  readonly seq: number;
}

/** The prefix ZooKeeper appends its 10-digit sequence number to. Pure. */
export function leaseNodePrefix(kind: SessionKind, member: string, leaseNo: number): string {
  return `${kind}.${member}.${leaseNo}.`;
}

const LEASE_NAME = /^([a-z]+)\.([A-Za-z0-9_%-]+)\.(\d+)\.(\d{10,})$/;

/** null for a name that is not a lease of ours (an operator's node): it is ignored. Pure. */
export function parseLeaseNodeName(name: string): LeaseNode | null {
  const match = LEASE_NAME.exec(name);
  if (match === null) return null;
  const kind = SESSION_KINDS.find((k) => k === match[1]);
  if (kind === undefined) return null;
  return { name, kind, member: match[2] as string, leaseNo: Number(match[3]), seq: Number(match[4]) };
}

/** The lease nodes among a listing's names, in sequence order. Pure. */
export function parseLeaseNodes(names: readonly string[]): LeaseNode[] {
  return names.flatMap((name) => parseLeaseNodeName(name) ?? []).sort((a, b) => a.seq - b.seq);
}
