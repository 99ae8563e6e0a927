/**
 * The deleter in a coordination group (issue 12): processing that is due
 * waits while the group has no session free, and starts when one frees up.
 * Real pool directory and fake dsmc (needs the build), a fake coordinator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeleter } from '../../src/deleter/cycle.js';
import { readJournal, seedObjects } from '../../src/fake-dsmc/library.js';
import { FakeCoordinator } from '../core/coordination/fake-coordinator.js';
import { daemonTestContext, testId as id } from '../daemon-context.js';
const T0 = new Date(2024, 0, 15, 12).getTime();

let root: string;
let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-deleter-group-'));
  savedEnv = { ...process.env };
});
afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(root, { recursive: true, force: true });
});

async function deleterWith(coordinator: FakeCoordinator) {
  const dir = path.join(root, 'pool');
  const library = path.join(root, 'library');
  for (const d of [dir, library]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(root, 'scenario.json'), '{}');
  process.env['FAKE_DSMC_LIBRARY'] = library;
  process.env['FAKE_DSMC_SCENARIO'] = path.join(root, 'scenario.json');
  let wakes = 0;
  const { context } = daemonTestContext({ daemon: 'deleter', root, dir, hsm: 'group', nowMs: () => T0, startedMs: T0, wake: () => wakes++, coordinator });
  const deleter = createDeleter(context, { skewMs: 0 });
  await deleter.ready;
  seedObjects(library, [1, 2].map((n) => ({ path: path.join(dir, 'out', id(n)), sizeBytes: 10 })));
  for (const n of [1, 2]) fs.writeFileSync(path.join(dir, 'trash', id(n)), 'osm://x');
  const deletes = () => readJournal(library).filter((e) => e.event === 'start' && e.command === 'delete').length;
  const log = () => fs.readFileSync(path.join(root, 'tsmdeleter.log'), 'utf8');
  const cycleUntil = async (done: () => boolean, skipDelays = false): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await deleter.cycle({ skipDelays });
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { deleter, deletes, log, cycleUntil, wakes: () => wakes };
}

describe('the deleter in a coordination group (issue 12)', () => {
  it('processing due (SIGUSR1) waits while the group has no session free, and runs once one is', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.slots = 0;
    const d = await deleterWith(coordinator);
    await d.deleter.cycle({ skipDelays: true });
    await d.deleter.cycle({ skipDelays: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(d.deletes()).toBe(0);
    expect(coordinator.requests).toEqual([]);
    const wakes = d.wakes();
    coordinator.change();
    expect(d.wakes()).toBe(wakes + 1);
    coordinator.slots = 1;
    await d.cycleUntil(() => d.deleter.figures()['deleter_deleted_files'] === 2);
    expect(d.deletes()).toBe(1);
    expect(coordinator.requests).toEqual([{ kind: 'delete' }]);
    expect(coordinator.released).toBe(1);
  });

  it('another instance took the last session first: the queue stays, and the next cycle tries again', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.grant = false;
    const d = await deleterWith(coordinator);
    await d.cycleUntil(() => d.log().includes('Deleting 2 files waits for a free session of the coordination group'), true);
    expect(d.deletes()).toBe(0);
    expect(d.deleter.figures()['deleter_waiting_files']).toBe(2);
    coordinator.grant = true;
    await d.cycleUntil(() => d.deleter.figures()['deleter_deleted_files'] === 2);
    expect(d.deletes()).toBe(1);
    expect(coordinator.released).toBe(1);
  });
});
