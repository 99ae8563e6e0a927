import { planEndedPrune, parseEndedRecord, type EndedRecord, type GroupListing } from './group-view.js';
import { decodeNodeName, encodeNodeName, parseLeaseNodes } from './node-names.js';
import type { ZkConnection } from './zk-connection.js';

/** An ended record older than this helps nobody (no tape stays mounted that long): whoever sees it removes it. */
const ENDED_KEEP_MS = 24 * 3600_000;

/**
 * Where a group lives: `<chroot>/<group>/` holds `sessions/` (one
 * ephemeral sequential node per running dsmc session: the budget),
 * `volumes/` (one ephemeral node per volume being read), `volumes-ended/`
 * (when the last session on a volume ended) and `members/` (one ephemeral
 * node per running daemon).
 */
export class GroupPaths {
  readonly base: string;
  readonly sessions: string;
  readonly volumes: string;
  readonly ended: string;
  readonly members: string;

  constructor(
    readonly chroot: string,
    group: string,
  ) {
    this.base = `${chroot}/${encodeNodeName(group)}`;
    this.sessions = `${this.base}/sessions`;
    this.volumes = `${this.base}/volumes`;
    this.ended = `${this.base}/volumes-ended`;
    this.members = `${this.base}/members`;
  }

  volume(volume: string): string {
    return `${this.volumes}/${encodeNodeName(volume)}`;
  }

  endedOf(volume: string): string {
    return `${this.ended}/${encodeNodeName(volume)}`;
  }
}

async function readEnded(conn: ZkConnection, paths: GroupPaths, volumes: readonly string[]): Promise<Map<string, EndedRecord>> {
  const read = await Promise.all(volumes.map(async (volume) => [volume, parseEndedRecord((await conn.data(paths.endedOf(volume))) ?? '')] as const));
  const records = new Map<string, EndedRecord>();
  for (const [volume, record] of read) if (record !== null) records.set(volume, record);
  return records;
}

/**
 * Lists the group: leases, volumes read now, and the ended records, whose
 * data is read only when new or when their volume was just given back (its
 * record was rewritten then). `watch` is called once when any list changes.
 */
export async function readGroupListing(conn: ZkConnection, paths: GroupPaths, previous: GroupListing, watch: () => void, nowMs: number): Promise<GroupListing> {
  const [sessionNames, volumeNames, endedNames] = await Promise.all([
    conn.children(paths.sessions, watch),
    conn.children(paths.volumes, watch),
    conn.children(paths.ended, watch),
  ]);
  const volumes = volumeNames.map(decodeNodeName).sort();
  const busy = new Set(volumes);
  const ended = new Map<string, EndedRecord>();
  const toRead: string[] = [];
  for (const volume of endedNames.map(decodeNodeName)) {
    const cached = previous.ended.get(volume);
    const givenBack = previous.volumes.includes(volume) && !busy.has(volume);
    if (cached !== undefined && !givenBack) ended.set(volume, cached);
    else toRead.push(volume);
  }
  for (const [volume, record] of await readEnded(conn, paths, toRead)) ended.set(volume, record);
  for (const volume of planEndedPrune(ended, nowMs, ENDED_KEEP_MS)) {
    ended.delete(volume);
    await conn.remove(paths.endedOf(volume));
  }
  return { leases: parseLeaseNodes(sessionNames), volumes, ended };
}

/** Whether two listings differ in what the policies see (so that the daemons need a look). Pure. */
export function listingsDiffer(a: GroupListing, b: GroupListing): boolean {
  const names = (listing: GroupListing): string => listing.leases.map((lease) => lease.name).join(',');
  const ended = (listing: GroupListing): string => [...listing.ended].map(([volume, record]) => `${volume}@${record.endMs}`).join(',');
  return names(a) !== names(b) || a.volumes.join(',') !== b.volumes.join(',') || ended(a) !== ended(b);
}
