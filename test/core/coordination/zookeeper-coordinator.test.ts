import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/core/coordination/coordinator.js';
import { parseConnectString } from '../../../src/core/coordination/connect-string.js';
import { ZkConnection } from '../../../src/core/coordination/zk-connection.js';
import { ZooKeeperCoordinator } from '../../../src/core/coordination/zookeeper-coordinator.js';
import { waitFor } from '../../integration/harness.js';
import { ZooKeeperTestServer } from '../../integration/zookeeper-server.js';

let server: ZooKeeperTestServer;
beforeAll(async () => {
  server = await ZooKeeperTestServer.start();
}, 120_000);
afterAll(async () => server.close());

const started: ZooKeeperCoordinator[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.close();
  if (!server.isRunning) await server.startAgain();
});

interface Made {
  readonly coordinator: ZooKeeperCoordinator;
  readonly lines: string[];
  changes: number;
}

let groupCount = 0;
function groupName(): string {
  return `G${++groupCount}-${process.pid}`;
}

function make(group: string, pool: string, limits = { maxSessions: 3, archiveReserve: 1 }, graceMs = 800, connectString = server.connectString): Made {
  const lines: string[] = [];
  const address = parseConnectString(`${connectString}/endit-test`);
  if (!address.ok) throw new Error(address.problem);
  const coordinator = new ZooKeeperCoordinator({
    settings: { connectString, address: address.address, group, groupFrom: 'coordination_group' },
    member: { host: 'testhost', pool, daemon: 'retriever', pid: process.pid },
    limits: () => limits,
    graceMs: () => graceMs,
    logger: { info: (m, code) => lines.push(`info${code === undefined ? '' : ` [${code}]`} ${m}`), warn: (code, m) => lines.push(`warn [${code}] ${m}`), debug: () => undefined },
    sessionTimeoutMs: 4000,
  });
  const made: Made = { coordinator, lines, changes: 0 };
  coordinator.onChange(() => made.changes++);
  started.push(coordinator.start());
  return made;
}

async function coordinated(...made: Made[]): Promise<void> {
  await waitFor(() => made.every((m) => m.coordinator.status().state === 'coordinated'), 'coordinated', 30_000);
}

/** What ZooKeeper holds for a group, read by a client of the test's own. */
async function nodes(group: string, dir: 'sessions' | 'volumes' | 'members'): Promise<string[]> {
  const conn = new ZkConnection(server.connectString, 4000, () => undefined);
  conn.connect();
  try {
    await waitFor(() => conn.connected, 'test client connected', 30_000);
    return (await conn.children(`/endit-test/${group}/${dir}`)).sort();
  } finally {
    await conn.close(1000);
  }
}

describe('ZooKeeperCoordinator against a real ZooKeeper', () => {
  it('two instances racing for a budget of 3 with 1 reserved: two recalls and one archive, never more', async () => {
    const group = groupName();
    const [a, b] = [make(group, 'poolA'), make(group, 'poolB')];
    await coordinated(a, b);
    const recalls = await Promise.all([a, b, a, b, a, b].map((m) => m.coordinator.acquire({ kind: 'retrieve' })));
    expect(recalls.filter((l) => l !== null)).toHaveLength(2);
    expect(await nodes(group, 'sessions')).toHaveLength(2);
    const archives = await Promise.all([a, b].map((m) => m.coordinator.acquire({ kind: 'archive' })));
    expect(archives.filter((l) => l !== null)).toHaveLength(1);
    expect(await nodes(group, 'sessions')).toHaveLength(3);
    await waitFor(() => a.coordinator.status().sessionsInUse === 3, 'a sees 3 in use');
    expect(a.coordinator.groupView().slots).toEqual({ archive: 0, retrieve: 0, delete: 0 });
    for (const lease of [...recalls, ...archives]) lease?.release();
    await waitFor(async () => (await nodes(group, 'sessions')).length === 0, 'every lease given back');
    expect(await nodes(group, 'members')).toEqual(['testhost%3ApoolA%3Aretriever', 'testhost%3ApoolB%3Aretriever']);
  });

  it('one volume, one reader: the other instance sees it busy, then ended, and takes it as soon as it is free', async () => {
    const group = groupName();
    const [a, b] = [make(group, 'poolA'), make(group, 'poolB')];
    await coordinated(a, b);
    const first = (await a.coordinator.acquire({ kind: 'retrieve', volume: 'VOL001' })) as Lease;
    expect(first).not.toBeNull();
    expect(await b.coordinator.acquire({ kind: 'retrieve', volume: 'VOL001' })).toBeNull();
    await waitFor(() => b.coordinator.groupView().busyVolumes.has('VOL001'), 'b sees VOL001 busy');
    expect(a.coordinator.groupView().busyVolumes.has('VOL001')).toBe(false);
    const changesBefore = b.changes;
    first.release();
    await waitFor(() => b.coordinator.groupView().endedVolumes.has('VOL001'), 'b sees VOL001 ended');
    expect(b.changes).toBeGreaterThan(changesBefore);
    expect(b.coordinator.groupView().busyVolumes.has('VOL001')).toBe(false);
    expect(a.coordinator.groupView().endedVolumes.has('VOL001')).toBe(false);
    const second = await b.coordinator.acquire({ kind: 'retrieve', volume: 'VOL001' });
    expect(second).not.toBeNull();
    expect(await nodes(group, 'volumes')).toEqual(['VOL001']);
  });

  it('ZooKeeper stopped: no new session at first, then local limits (coordination_lost); back: leases taken meanwhile count (coordination_restored)', async () => {
    const group = groupName();
    const a = make(group, 'poolA', { maxSessions: 2, archiveReserve: 1 });
    await coordinated(a);
    const running = await a.coordinator.acquire({ kind: 'retrieve', volume: 'V1' });
    expect(running).not.toBeNull();
    await server.stop();
    await waitFor(() => a.coordinator.status().state === 'waiting', 'waiting');
    expect(await a.coordinator.acquire({ kind: 'archive' })).toBeNull();
    await waitFor(() => a.coordinator.status().state === 'lost', 'lost after the grace time');
    expect(a.lines.filter((l) => l.startsWith('warn [coordination_lost]'))).toHaveLength(1);
    expect(a.coordinator.groupView().slots.retrieve).toBe(Infinity);
    const local = await Promise.all([1, 2, 3].map(() => a.coordinator.acquire({ kind: 'retrieve' })));
    expect(local.every((l) => l !== null)).toBe(true);
    local[0]?.release();
    await server.startAgain();
    await coordinated(a);
    expect(a.lines.filter((l) => l.startsWith('info [coordination_restored]'))).toHaveLength(1);
    // The running lease and the two local ones still held: over the budget, so nothing new starts.
    await waitFor(async () => (await nodes(group, 'sessions')).length === 3, 'held leases in ZooKeeper');
    expect(a.coordinator.groupView().slots.archive).toBe(0);
  });

  it('a session ZooKeeper forgot (expired): a new session, and every held lease registered again', async () => {
    const group = groupName();
    const a = make(group, 'poolA');
    await coordinated(a);
    const held = await a.coordinator.acquire({ kind: 'retrieve', volume: 'V9' });
    expect(held).not.toBeNull();
    await server.stop();
    await server.startAgain({ wipe: true });
    await waitFor(async () => (await nodes(group, 'sessions').catch(() => [])).length === 1, 'lease registered in the new session', 30_000);
    expect(await nodes(group, 'volumes')).toEqual(['V9']);
    expect(a.coordinator.status().state).toBe('coordinated');
  });

  it('fault: a server that accepts the connection and never answers (a ZooKeeper restarting) does not hold the client for ever', async () => {
    // ZooKeeper 3.8 can leave a connection made while it starts up unanswered; node-zookeeper-client then waits without a time limit.
    const accepted: net.Socket[] = [];
    const blackHole = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as net.AddressInfo;
    try {
      const a = make(groupName(), 'poolA', undefined, 500, `127.0.0.1:${port}`);
      await waitFor(() => a.coordinator.status().state === 'lost', 'lost after the grace time');
      // Session timeout 4 s: a new client (a new connection) after each.
      await waitFor(() => accepted.length >= 2, 'a second connection', 20_000);
    } finally {
      for (const socket of accepted) socket.destroy();
      blackHole.close();
    }
  }, 30_000);

  it('fault: a lease node of the instance that it does not hold (its release never reached ZooKeeper) is removed, not kept for good', async () => {
    const group = groupName();
    const a = make(group, 'poolA');
    await coordinated(a);
    const conn = new ZkConnection(server.connectString, 4000, () => undefined);
    conn.connect();
    try {
      await waitFor(() => conn.connected, 'test client connected', 30_000);
      await conn.create(`/endit-test/${group}/sessions/retrieve.testhost%3ApoolA%3Aretriever.1.`, '{}', 'ephemeral-sequential');
      await conn.create(`/endit-test/${group}/sessions/retrieve.testhost%3ApoolB%3Aretriever.1.`, '{}', 'ephemeral-sequential');
      await waitFor(async () => (await nodes(group, 'sessions')).length === 1, "poolA's stray removed");
      expect((await nodes(group, 'sessions'))[0]).toMatch(/^retrieve\.testhost%3ApoolB/);
    } finally {
      await conn.close(1000);
    }
  });

  it('close ends the session: every node of the instance goes at once', async () => {
    const group = groupName();
    const a = make(group, 'poolA');
    await coordinated(a);
    await a.coordinator.acquire({ kind: 'archive' });
    await a.coordinator.acquire({ kind: 'retrieve', volume: 'V2' });
    expect(await nodes(group, 'sessions')).toHaveLength(2);
    await a.coordinator.close();
    expect(await nodes(group, 'sessions')).toEqual([]);
    expect(await nodes(group, 'volumes')).toEqual([]);
    expect(await nodes(group, 'members')).toEqual([]);
  });
});
