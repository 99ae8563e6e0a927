import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectString } from '../../src/core/coordination/connect-string.js';
import { ZooKeeperCoordinator } from '../../src/core/coordination/zookeeper-coordinator.js';
import { freePort, ZooKeeperTestServer } from '../integration/zookeeper-server.js';
import { waitFor } from '../integration/harness.js';
import { createFixture, endit } from './helpers.js';

const NOW_SEC = 1_700_000_000;

const coordinated = (daemon: string, timeSec: number, state: number, inUse: number): Record<string, number> => ({
  [`${daemon}_time`]: timeSec,
  [`${daemon}_starttime`]: timeSec - 60,
  [`${daemon}_coordination_state`]: state,
  [`${daemon}_coordination_sessions`]: inUse,
});

describe('endit status with coordination (issue 12)', () => {
  it('says nothing of coordination for a pool without it', async () => {
    const f = createFixture();
    f.writeStats('archiver', coordinated('archiver', NOW_SEC - 1, 0, 0));
    f.writeLock('archiver', process.pid);
    const { out } = await endit(['status', '--config', f.config], { nowMs: NOW_SEC * 1000 });
    expect(out).not.toContain('Coordination');
    expect(JSON.parse((await endit(['status', '--config', f.config, '--json'], { nowMs: NOW_SEC * 1000 })).out).coordination).toBeNull();
  });

  it('shows the group, the budget in use as the freshest daemon saw it, and which daemons are coordinated', async () => {
    const f = createFixture({ coordination_zookeeper: 'zk1:2181/endit', coordination_maxsessions: 4 });
    f.writeStats('archiver', coordinated('archiver', NOW_SEC - 1, 1, 3));
    f.writeStats('retriever', coordinated('retriever', NOW_SEC - 5, 0, 0));
    f.writeLock('archiver', process.pid);
    f.writeLock('retriever', process.pid);
    const { code, out } = await endit(['status', '--config', f.config], { nowMs: NOW_SEC * 1000 });
    expect(code).toBe(0);
    expect(out).toContain('Coordination: group NODE (from -asnode) in ZooKeeper zk1:2181/endit: 3 of 4 sessions in use, 1 reserved for archives');
    expect(out).toContain('Coordination: archiver coordinated; retriever LOCAL (local limits alone: ZooKeeper unreachable, or not joined yet)');
    const json = JSON.parse((await endit(['status', '--config', f.config, '--json'], { nowMs: NOW_SEC * 1000 })).out);
    expect(json.coordination).toEqual({
      group: 'NODE',
      groupFrom: '-asnode',
      zookeeper: 'zk1:2181/endit',
      maxSessions: 4,
      archiveReserve: 1,
      daemons: [{ name: 'archiver', coordinated: true }, { name: 'retriever', coordinated: false }],
      sessionsInUse: 3,
    });
  });

  it('--group without coordination configured is a configuration error (exit 2)', async () => {
    const f = createFixture();
    const { code, err } = await endit(['status', '--config', f.config, '--group']);
    expect(code).toBe(2);
    expect(err).toContain('coordination_zookeeper is not set: this pool is in no coordination group');
  });

  it('--group when ZooKeeper does not answer: exit 1 naming it', async () => {
    const port = await freePort();
    const f = createFixture({ coordination_zookeeper: `127.0.0.1:${port}`, coordination_maxsessions: 4 });
    const { code, err } = await endit(['status', '--config', f.config, '--group']);
    expect(code).toBe(1);
    expect(err).toBe(`endit: cannot read group NODE from ZooKeeper 127.0.0.1:${port}: no answer within 10 s\n`);
  }, 30_000);
});

describe('endit status --group against a real ZooKeeper', () => {
  let server: ZooKeeperTestServer;
  beforeAll(async () => {
    server = await ZooKeeperTestServer.start();
  }, 120_000);
  afterAll(async () => server.close());

  it('lists every instance of the group with its sessions, and the volumes being read', async () => {
    const address = parseConnectString(`${server.connectString}/endit`);
    if (!address.ok) throw new Error(address.problem);
    const member = (pool: string, daemon: string) =>
      new ZooKeeperCoordinator({
        settings: { connectString: `${server.connectString}/endit`, address: address.address, group: 'NODE', groupFrom: '-asnode' },
        member: { host: 'hostA', pool, daemon, pid: 4242 },
        limits: () => ({ maxSessions: 4, archiveReserve: 1 }),
        graceMs: () => 1000,
        logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
      }).start();
    const members = [member('pool1', 'archiver'), member('pool1', 'retriever'), member('pool2', 'retriever')];
    try {
      await waitFor(() => members.every((m) => m.status().state === 'coordinated'), 'joined', 30_000);
      await members[0]?.acquire({ kind: 'archive' });
      await members[2]?.acquire({ kind: 'retrieve', volume: 'VOL007' });
      const f = createFixture({ coordination_zookeeper: `${server.connectString}/endit`, coordination_maxsessions: 4 });
      const { code, out } = await endit(['status', '--config', f.config, '--group']);
      expect(code).toBe(0);
      const lines = out.split('\n');
      expect(lines[0]).toBe(`Group NODE (from -asnode) in ZooKeeper ${server.connectString}/endit: 2 of 4 sessions in use, 1 reserved for archives`);
      expect(lines.find((l) => l.startsWith('pool1') && l.includes('archiver'))).toMatch(/^pool1\s+hostA\s+archiver\s+4242\s+\S+ \S+\s+archive \d+s$/);
      expect(lines.find((l) => l.startsWith('pool1') && l.includes('retriever'))).toMatch(/retriever\s+4242\s+\S+ \S+\s+-$/);
      expect(lines.find((l) => l.startsWith('pool2'))).toMatch(/retrieve VOL007 \d+s$/);
      expect(out).toContain('Volumes being read: VOL007');
      const json = JSON.parse((await endit(['status', '--config', f.config, '--group', '--json'])).out);
      expect(json.instances.map((i: { pool: string; daemon: string; sessions: unknown[] }) => [i.pool, i.daemon, i.sessions.length])).toEqual([
        ['pool1', 'archiver', 1],
        ['pool1', 'retriever', 0],
        ['pool2', 'retriever', 1],
      ]);
    } finally {
      for (const m of members) await m.close();
    }
  });
});

describe('endit check-config with coordination (issue 12)', () => {
  it('names the group the daemons would join and the budget', async () => {
    const f = createFixture({ coordination_zookeeper: 'zk1,zk2:2182/endit', coordination_maxsessions: 6, coordination_archivereserve: 2, coordination_group: 'TSM-A' });
    const { code, out } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(0);
    expect(out).toContain('Coordination: group TSM-A (from coordination_group) in ZooKeeper zk1,zk2:2182/endit: at most 6 sessions in the group, 2 reserved for archives\n');
  });

  it('rejects a reserve that leaves recalls nothing', async () => {
    const f = createFixture({ coordination_zookeeper: 'zk1', coordination_maxsessions: 1 });
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(err).toContain("coordination_archivereserve: invalid value '1': expected less than coordination_maxsessions (1)");
  });
});
