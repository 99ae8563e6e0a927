import { describe, expect, it } from 'vitest';
import { countBudgetUse, decideLeaseKept, planBudgetSlots } from '../../../src/core/coordination/budget.js';
import { parseConnectString } from '../../../src/core/coordination/connect-string.js';
import type { SessionKind } from '../../../src/core/coordination/coordinator.js';
import { planEndedPrune, planGroupView, parseEndedRecord, type GroupListing } from '../../../src/core/coordination/group-view.js';
import { decodeNodeName, encodeNodeName, leaseNodePrefix, memberKey, parseLeaseNodeName, parseLeaseNodes } from '../../../src/core/coordination/node-names.js';
import { coordinationSettings, parseAsnode } from '../../../src/core/coordination/settings.js';
import { snapshotOf } from '../config/helpers.js';

const limits = { maxSessions: 4, archiveReserve: 1 };

describe('planBudgetSlots', () => {
  it.each<[string, SessionKind, SessionKind[], number]>([
    ['an empty group: archives may take all', 'archive', [], 4],
    ['an empty group: recalls all but the reserve', 'retrieve', [], 3],
    ['deletes like recalls', 'delete', ['retrieve'], 2],
    ['three recalls: the last one is the reserve, for archives only', 'retrieve', ['retrieve', 'retrieve', 'delete'], 0],
    ['three recalls: an archive still starts', 'archive', ['retrieve', 'retrieve', 'retrieve'], 1],
    ['an archive holds the reserve: recalls get the other three', 'retrieve', ['archive'], 3],
    ['two archives, one recall: one more recall', 'retrieve', ['archive', 'archive', 'retrieve'], 1],
    ['full', 'archive', ['archive', 'archive', 'retrieve', 'retrieve'], 0],
    ['over the budget (sessions started while ZooKeeper was down): none, never negative', 'archive', ['archive', 'retrieve', 'retrieve', 'retrieve', 'retrieve'], 0],
  ])('%s', (_what, kind, running, slots) => {
    expect(planBudgetSlots(kind, countBudgetUse(running), limits)).toBe(slots);
  });

  it('with no reserve recalls may take everything', () => {
    expect(planBudgetSlots('retrieve', countBudgetUse(['retrieve', 'retrieve', 'retrieve']), { maxSessions: 4, archiveReserve: 0 })).toBe(1);
  });
});

describe('decideLeaseKept: first come (lowest sequence) first served', () => {
  /** Replays racing creates: each lease decides on the leases ahead of it that are still there. */
  function race(kinds: SessionKind[]): boolean[] {
    const kept: SessionKind[] = [];
    return kinds.map((kind) => {
      const ok = decideLeaseKept(kind, countBudgetUse(kept), limits);
      if (ok) kept.push(kind);
      return ok;
    });
  }

  it('six recalls racing for a budget of 4 with 1 reserved: three keep their lease', () => {
    expect(race(['retrieve', 'retrieve', 'retrieve', 'retrieve', 'retrieve', 'retrieve'])).toEqual([true, true, true, false, false, false]);
  });

  it('an archive after three recalls takes the reserve; the next archive finds none', () => {
    expect(race(['retrieve', 'retrieve', 'retrieve', 'archive', 'archive'])).toEqual([true, true, true, true, false]);
  });

  it('never more than the budget, never more recalls than budget minus reserve, in any order', () => {
    const kinds: SessionKind[] = ['archive', 'retrieve', 'delete'];
    for (let seed = 0; seed < 200; seed++) {
      const order = Array.from({ length: 8 }, (_, i) => kinds[(seed * 7 + i * (seed % 5 + 1)) % 3] as SessionKind);
      const held = order.filter((_, i) => race(order)[i]);
      expect(held.length).toBeLessThanOrEqual(limits.maxSessions);
      expect(held.filter((k) => k !== 'archive').length).toBeLessThanOrEqual(limits.maxSessions - limits.archiveReserve);
    }
  });
});

describe('node names', () => {
  it.each([
    ['TESTNODE', 'TESTNODE'],
    ['A00123L8', 'A00123L8'],
    ['..', '%2E%2E'],
    ['a/b c', 'a%2Fb%20c'],
    ['', '%'],
    ['bånd', 'b%C3%A5nd'],
  ])('encodes %j as one safe name %s and back', (text, encoded) => {
    expect(encodeNodeName(text)).toBe(encoded);
    expect(decodeNodeName(encoded)).toBe(text);
  });

  it('parses lease nodes ZooKeeper named and skips anything else, in sequence order', () => {
    const member = memberKey('host1', 'pool1', 'retriever');
    expect(member).toBe('host1%3Apool1%3Aretriever');
    const a = `${leaseNodePrefix('retrieve', member, 7)}0000000012`;
    const b = `${leaseNodePrefix('archive', 'h%3Ap%3Aarchiver', 1)}0000000003`;
    expect(parseLeaseNodeName(a)).toEqual({ name: a, kind: 'retrieve', member, leaseNo: 7, seq: 12 });
    expect(parseLeaseNodes([a, 'junk', 'query.x.1.0000000001', b]).map((l) => l.seq)).toEqual([3, 12]);
  });
});

describe('planGroupView', () => {
  const own = { member: 'me', volumes: new Set(['MINE']) };
  const lease = (kind: SessionKind, seq: number, member = 'other') => ({ name: `${kind}.${member}.1.${seq}`, kind, member, leaseNo: 1, seq });

  it('gives the slots of each kind, the volumes others read, and the volumes others just finished', () => {
    const listing: GroupListing = {
      leases: [lease('retrieve', 1), lease('retrieve', 2, 'me'), lease('archive', 3)],
      volumes: ['MINE', 'THEIRS'],
      ended: new Map([
        ['DONE', { member: 'other', endMs: 1000 }],
        ['MYDONE', { member: 'me', endMs: 1000 }],
        ['THEIRS', { member: 'other', endMs: 500 }],
      ]),
    };
    const view = planGroupView(listing, own, limits);
    expect(view.slots).toEqual({ archive: 1, retrieve: 1, delete: 1 });
    expect([...view.busyVolumes]).toEqual(['THEIRS']);
    expect([...view.endedVolumes]).toEqual([['DONE', 1000]]);
  });

  it('prunes ended records older than the age given', () => {
    const ended = new Map([['OLD', { member: 'x', endMs: 0 }], ['NEW', { member: 'x', endMs: 90 }]]);
    expect(planEndedPrune(ended, 100, 50)).toEqual(['OLD']);
  });

  it('reads ended records and refuses anything else', () => {
    expect(parseEndedRecord('{"member":"m","endMs":5}')).toEqual({ member: 'm', endMs: 5 });
    for (const bad of ['', '{', '{"member":1,"endMs":5}', '{"member":"m"}', 'null']) expect(parseEndedRecord(bad)).toBeNull();
  });
});

describe('parseConnectString', () => {
  it.each([
    ['zk1', { servers: 'zk1:2181', chroot: '' }],
    ['zk1:2182,10.0.0.2', { servers: 'zk1:2182,10.0.0.2:2181', chroot: '' }],
    ['zk1:2181/endit', { servers: 'zk1:2181', chroot: '/endit' }],
    ['zk1:2181/endit/tsm/', { servers: 'zk1:2181', chroot: '/endit/tsm' }],
    ['zk1:2181/', { servers: 'zk1:2181', chroot: '' }],
  ])('%s', (text, address) => {
    expect(parseConnectString(text)).toEqual({ ok: true, address });
  });

  it.each(['', '/endit', 'zk1:', 'zk1:0', 'zk1:2181:3', 'zk1,,zk2', 'zk1/a//b', 'zk1/a b'])('refuses %j', (text) => {
    expect(parseConnectString(text).ok).toBe(false);
  });
});

describe('the group name', () => {
  it.each([
    [['-asnode=TAPENODE', '-errorlogname=/x'], 'TAPENODE'],
    [['-ASNODENAME=tapenode'], 'TAPENODE'],
    [['-asnodena="q1"'], 'Q1'],
    [['-asnod=X'], null],
    [['-errorlogname=/x'], null],
  ])('-asnode in %j: %s', (options, node) => {
    expect(parseAsnode(options)).toBe(node);
  });

  it('is coordination_group, else the -asnode= value, else desc-short', () => {
    const zk = ['coordination_zookeeper: zk1/endit', 'coordination_maxsessions: 4'];
    expect(coordinationSettings(snapshotOf().values)).toBeNull();
    expect(coordinationSettings(snapshotOf(...zk).values)).toEqual({ connectString: 'zk1/endit', address: { servers: 'zk1:2181', chroot: '/endit' }, group: 'NODE', groupFrom: '-asnode' });
    expect(coordinationSettings(snapshotOf(...zk, 'coordination_group: tsm-a').values)).toMatchObject({ group: 'tsm-a', groupFrom: 'coordination_group' });
  });
});
