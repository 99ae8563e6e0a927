import { errorMessage } from '../errors.js';
import { GroupPaths } from './group-reader.js';
import { decodeNodeName, parseLeaseNodes } from './node-names.js';
import type { CoordinationSettings } from './settings.js';
import { isNoNode, ZkConnection } from './zk-connection.js';

/** A running daemon of the group, as its `members/` node says. */
export interface MemberRecord {
  readonly key: string;
  readonly host: string;
  readonly pool: string;
  readonly daemon: string;
  readonly pid: number | null;
  readonly sinceMs: number | null;
}

/** A session of the group's budget, as its `sessions/` node says. */
export interface SessionRecord {
  readonly member: string;
  readonly kind: string;
  readonly seq: number;
  readonly volume: string | null;
  readonly pid: number | null;
  readonly sinceMs: number | null;
}

/** Everything `endit status --group` shows, read once. */
export interface GroupSnapshot {
  readonly members: readonly MemberRecord[];
  readonly sessions: readonly SessionRecord[];
  /** Volumes being read now. */
  readonly volumes: readonly string[];
}

type Json = Record<string, unknown>;

function parseJson(data: string | null): Json {
  try {
    const parsed: unknown = JSON.parse(data ?? '');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** A member node's record; what it lacks comes from its name (`host:pool:daemon`). Pure. */
function parseMemberRecord(key: string, data: string | null): MemberRecord {
  const [host = '?', pool = '?', daemon = '?'] = decodeNodeName(key).split(':');
  const json = parseJson(data);
  return { key, host: text(json['host'], host), pool: text(json['pool'], pool), daemon: text(json['daemon'], daemon), pid: num(json['pid']), sinceMs: num(json['sinceMs']) };
}

async function connected(conn: ZkConnection, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!conn.connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return conn.connected;
}

async function childrenOrNone(conn: ZkConnection, path: string): Promise<string[]> {
  try {
    return await conn.children(path);
  } catch (error) {
    if (isNoNode(error)) return [];
    throw error;
  }
}

async function readSnapshot(conn: ZkConnection, paths: GroupPaths): Promise<GroupSnapshot> {
  const memberKeys = await childrenOrNone(conn, paths.members);
  const members = await Promise.all(memberKeys.map(async (key) => parseMemberRecord(key, await conn.data(`${paths.members}/${key}`))));
  const leases = parseLeaseNodes(await childrenOrNone(conn, paths.sessions));
  const sessions = await Promise.all(
    leases.map(async (lease) => {
      const json = parseJson(await conn.data(`${paths.sessions}/${lease.name}`));
      const volume = typeof json['volume'] === 'string' ? json['volume'] : null;
      return { member: lease.member, kind: lease.kind, seq: lease.seq, volume, pid: num(json['pid']), sinceMs: num(json['sinceMs']) };
    }),
  );
  const volumes = (await childrenOrNone(conn, paths.volumes)).map(decodeNodeName).sort();
  return { members, sessions, volumes };
}

/** Reads the group from ZooKeeper; throws with a one-line reason when ZooKeeper cannot be reached in time. */
export async function readGroupSnapshot(settings: CoordinationSettings, timeoutMs: number): Promise<GroupSnapshot> {
  const conn = new ZkConnection(settings.address.servers, timeoutMs, () => undefined);
  conn.connect();
  try {
    if (!(await connected(conn, timeoutMs))) throw new Error(`no answer within ${timeoutMs / 1000} s`);
    return await readSnapshot(conn, new GroupPaths(settings.address.chroot, settings.group));
  } catch (error) {
    throw new Error(`cannot read group ${settings.group} from ZooKeeper ${settings.connectString}: ${errorMessage(error)}`);
  } finally {
    await conn.close(1000);
  }
}
