import { describe, expect, it } from 'vitest';
import { applyOverride } from '../../../src/core/config/index.js';
import { FILE, problemsOf, snapshotOf } from './helpers.js';

describe('the coordination keys (issue 12)', () => {
  it('are all unset but the reserve when absent: the instance runs alone', () => {
    const { values } = snapshotOf();
    expect(values.coordination_zookeeper).toBeUndefined();
    expect(values.coordination_group).toBeUndefined();
    expect(values.coordination_maxsessions).toBeUndefined();
    expect(values.coordination_archivereserve).toBe(1);
  });

  it('accept a connect string with several servers and a chroot, and a budget', () => {
    const { values } = snapshotOf('coordination_zookeeper: zk1.example.org:2181,zk2:2182/endit/tsm', 'coordination_maxsessions: 6', 'coordination_archivereserve: 2');
    expect(values).toMatchObject({ coordination_zookeeper: 'zk1.example.org:2181,zk2:2182/endit/tsm', coordination_maxsessions: 6, coordination_archivereserve: 2 });
  });

  it.each([
    ['zk1:2181,', "coordination_zookeeper: invalid value 'zk1:2181,'"],
    ['zk1:99999', 'port 99999 is not 1-65535'],
    ['zk1:2181/a/../b', "chroot /a/../b: '..' is not a plain path component"],
    ['zk 1', "coordination_zookeeper: invalid value 'zk 1'"],
  ])('reject the connect string %s', (connect, problem) => {
    expect(problemsOf(`coordination_zookeeper: ${connect}`, 'coordination_maxsessions: 4').join('\n')).toContain(problem);
  });

  it('need coordination_maxsessions with coordination_zookeeper', () => {
    expect(problemsOf('coordination_zookeeper: zk1:2181')).toEqual([`${FILE}: coordination_maxsessions: required with coordination_zookeeper: the most dsmc sessions of the whole group`]);
  });

  it('reject an archive reserve that leaves recalls no session, in the file and in an override', () => {
    expect(problemsOf('coordination_zookeeper: zk1', 'coordination_maxsessions: 2', 'coordination_archivereserve: 2')).toEqual([
      `${FILE}: coordination_archivereserve: invalid value '2': expected less than coordination_maxsessions (2), or recalls could never start`,
    ]);
    const base = snapshotOf('coordination_zookeeper: zk1', 'coordination_maxsessions: 4');
    expect(applyOverride(base, { coordination_maxsessions: 1 }, '/run/o.json', 1)).toMatchObject({ ok: false, error: expect.stringContaining('coordination_archivereserve') });
    expect(applyOverride(base, { coordination_maxsessions: 3, coordination_archivereserve: 0 }, '/run/o.json', 1)).toMatchObject({ ok: true });
  });

  it('cannot change ZooKeeper or the group through the override', () => {
    const base = snapshotOf('coordination_zookeeper: zk1', 'coordination_maxsessions: 4');
    expect(applyOverride(base, { coordination_group: 'X' }, '/run/o.json', 1)).toMatchObject({ ok: false, error: '/run/o.json: coordination_group: cannot be overridden (only in the main file)' });
    expect(applyOverride(base, { coordination_zookeeper: 'zk2' }, '/run/o.json', 1)).toMatchObject({ ok: false });
  });
});
