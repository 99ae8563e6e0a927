/**
 * The deleter's cycle with the clock given as data: the schedule, its skew
 * and the back-off are driven by the time the cycle is told, against a real
 * pool directory and the real fake dsmc (needs the build: bin/fake-dsmc).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonBehaviour } from '../../src/core/runtime/index.js';
import { createDeleter } from '../../src/deleter/cycle.js';
import { listObjects, readJournal, seedObjects } from '../../src/fake-dsmc/library.js';
import { daemonTestContext, testId as id } from '../daemon-context.js';
import { failWritesHalfway } from './failing-writes.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => new Date(y, mo - 1, d, h, mi, s).getTime();

let root: string;
let savedEnv: NodeJS.ProcessEnv;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-deleter-cycle-'));
  savedEnv = { ...process.env };
});
afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(root, { recursive: true, force: true });
});

interface Harness {
  readonly deleter: DaemonBehaviour & { ready: Promise<void> };
  readonly dir: string;
  readonly library: string;
  /** Runs cycles at `nowMs` until `done` holds (the pass runs in the background). */
  cycleUntil(nowMs: number, done: () => boolean): Promise<void>;
  cycleAt(nowMs: number, skipDelays?: boolean): Promise<void>;
  setNow(nowMs: number): void;
  /** How often the deleter asked for its next cycle at once (DaemonContext.wake). */
  wakes(): number;
}

async function harness(startMs: number, extraConfig: Record<string, string | number>, scenario: unknown = {}): Promise<Harness> {
  const dir = path.join(root, 'pool');
  const library = path.join(root, 'library');
  fs.mkdirSync(dir);
  fs.mkdirSync(library);
  fs.writeFileSync(path.join(root, 'scenario.json'), JSON.stringify(scenario));
  process.env['FAKE_DSMC_LIBRARY'] = library;
  process.env['FAKE_DSMC_SCENARIO'] = path.join(root, 'scenario.json');
  let now = startMs;
  let wakes = 0;
  const { context } = daemonTestContext({
    daemon: 'deleter',
    root,
    dir,
    hsm: 'cycle',
    config: extraConfig,
    nowMs: () => now,
    startedMs: startMs,
    wake: () => {
      wakes++;
    },
  });
  const deleter = createDeleter(context, { skewMs: 30_000 });
  await deleter.ready;
  const cycleAt = async (nowMs: number, skipDelays = false): Promise<void> => {
    now = nowMs;
    await deleter.cycle({ skipDelays });
  };
  return {
    deleter,
    dir,
    library,
    cycleAt,
    setNow: (nowMs) => (now = nowMs),
    wakes: () => wakes,
    async cycleUntil(nowMs, done) {
      const deadline = Date.now() + 20_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await cycleAt(nowMs);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

function trash(h: Harness, ids: string[]): void {
  seedObjects(h.library, ids.map((i) => ({ path: path.join(h.dir, 'out', i), sizeBytes: 10 })));
  for (const i of ids) fs.writeFileSync(path.join(h.dir, 'trash', i), 'osm://x');
}

const deleteSessions = (h: Harness) => readJournal(h.library).filter((e) => e.event === 'start' && e.command === 'delete').length;
const queueFiles = (h: Harness) => fs.readdirSync(path.join(h.dir, 'trash', 'queue')).filter((n) => /^\d+$/.test(n));

describe('the deleter cycle on its schedule (clock as data)', () => {
  it('processes the queue at the first slot plus the skew, not before, and then waits for the next slot', async () => {
    const h = await harness(at(2024, 1, 15, 12), { deleter_queueprocinterval: 'monthly' });
    trash(h, [id(1), id(2)]);
    await h.cycleAt(at(2024, 1, 15, 12));
    expect(queueFiles(h)).toHaveLength(1);
    expect(h.deleter.figures()['deleter_nextrun_time']).toBe(at(2024, 2, 1, 0, 0, 30) / 1000);

    await h.cycleAt(at(2024, 1, 31, 23, 59));
    await h.cycleAt(at(2024, 2, 1, 0, 0, 29)); // the slot has come, the skew not yet
    await new Promise((r) => setTimeout(r, 300));
    expect(deleteSessions(h)).toBe(0);

    await h.cycleUntil(at(2024, 2, 1, 0, 0, 30), () => h.deleter.figures()['deleter_deleted_files'] === 2);
    expect(queueFiles(h)).toEqual([]);
    expect(deleteSessions(h)).toBe(1);
    expect(listObjects(h.library)).toEqual([]);
    expect(h.deleter.figures()).toMatchObject({ deleter_deleted_files: 2, deleter_lastrun_success: 1, deleter_nextrun_time: at(2024, 3, 1, 0, 0, 30) / 1000 });

    // New deletions wait for the next slot.
    trash(h, [id(3)]);
    await h.cycleAt(at(2024, 2, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(deleteSessions(h)).toBe(1);
    expect(queueFiles(h)).toHaveLength(1);
    await h.cycleUntil(at(2024, 3, 1, 0, 1), () => h.deleter.figures()['deleter_deleted_files'] === 3);
    expect(queueFiles(h)).toEqual([]);
    expect(deleteSessions(h)).toBe(2);
  });

  it('retries ids a failed session left, with back-off, between slots', async () => {
    const h = await harness(at(2024, 1, 15, 12), { deleter_queueprocinterval: 'monthly', retry_backoff_max: 600 }, {
      rules: [{ command: 'delete', action: 'fail', times: 2, rc: 12, message: 'ANS1017E Session rejected: TCP/IP connection failure' }],
    });
    trash(h, [id(7)]);
    await h.cycleAt(at(2024, 1, 15, 12), true); // SIGUSR1
    await h.cycleUntil(at(2024, 1, 15, 12), () => h.deleter.figures()['deleter_failed_runs'] === 1);
    expect(h.deleter.figures()).toMatchObject({ deleter_waiting_files: 1, deleter_backoff_failures: 1, deleter_backoff_seconds: 60 });

    await h.cycleAt(at(2024, 1, 15, 12, 0, 59)); // back-off: sleeptime · 2^0 = 60 s
    await new Promise((r) => setTimeout(r, 300));
    expect(deleteSessions(h)).toBe(1);
    await h.cycleUntil(at(2024, 1, 15, 12, 1), () => h.deleter.figures()['deleter_failed_runs'] === 2);
    expect(h.deleter.figures()).toMatchObject({ deleter_backoff_failures: 2, deleter_backoff_seconds: 120 });

    await h.cycleUntil(at(2024, 1, 15, 12, 3), () => h.deleter.figures()['deleter_deleted_files'] === 1); // 120 s after the second failure
    expect(queueFiles(h)).toEqual([]);
    expect(deleteSessions(h)).toBe(3);
    expect(h.deleter.figures()).toMatchObject({ deleter_deleted_files: 1, deleter_backoff_failures: 0, deleter_lastrun_success: 1 });
  });

  it('queues first and removes the trash files beside its other work; trash/ is listed again only once they are gone', async () => {
    const h = await harness(at(2024, 1, 15, 12), { deleter_queueprocinterval: 'monthly' });
    const ids = Array.from({ length: 5000 }, (_, n) => id(100 + n));
    fs.mkdirSync(path.join(h.dir, 'trash'), { recursive: true });
    for (const i of ids) fs.writeFileSync(path.join(h.dir, 'trash', i), 'osm://x');
    await h.cycleAt(at(2024, 1, 15, 12));
    expect(queueFiles(h)).toHaveLength(1);
    const left = fs.readdirSync(path.join(h.dir, 'trash')).filter((n) => n !== 'queue').length;
    expect(left).toBeGreaterThan(0); // queued, still being removed

    await h.cycleAt(at(2024, 1, 15, 12, 1)); // while they are removed: no second listing, no id queued twice
    expect(queueFiles(h)).toHaveLength(1);
    expect(h.deleter.figures()['deleter_waiting_files']).toBe(ids.length);

    const deadline = Date.now() + 20_000;
    while (fs.readdirSync(path.join(h.dir, 'trash')).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fs.readdirSync(path.join(h.dir, 'trash'))).toEqual(['queue']);
    await new Promise((r) => setImmediate(r));
    fs.writeFileSync(path.join(h.dir, 'trash', id(1)), 'osm://x');
    await h.cycleAt(at(2024, 1, 15, 12, 2)); // removal done: trash/ is listed again
    expect(queueFiles(h)).toHaveLength(2);
    expect(h.deleter.figures()['deleter_waiting_files']).toBe(ids.length + 1);
  });
});

describe('an idle deleter sleeps', () => {
  /** Lets the queueing and removal beside the cycle run to their end (they take milliseconds here). */
  async function settle(h: Harness, until: () => boolean): Promise<void> {
    for (let i = 0; i < 15 && !until(); i++) await new Promise((r) => setTimeout(r, 20));
  }

  it('fault: listing an empty trash/ does not wake the next cycle at once (the idle deleter spun at 100 % of a core)', async () => {
    const h = await harness(Date.UTC(2026, 0, 5, 10, 0), { deleter_queueprocinterval: 'monthly' });
    await h.cycleAt(Date.UTC(2026, 0, 5, 10, 0));
    await settle(h, () => h.wakes() > 0);
    expect(h.wakes()).toBe(0);
    await h.deleter.stop?.();
  });

  it('files queued and removed do wake it once, to look again', async () => {
    const h = await harness(Date.UTC(2026, 0, 5, 10, 0), { deleter_queueprocinterval: 'monthly' });
    trash(h, [id(1), id(2), id(3)]);
    await h.cycleAt(Date.UTC(2026, 0, 5, 10, 0));
    await settle(h, () => fs.readdirSync(path.join(h.dir, 'trash')).length === 1 && h.wakes() > 0);
    expect(fs.readdirSync(path.join(h.dir, 'trash'))).toEqual(['queue']);
    expect(h.wakes()).toBe(1);
    await h.cycleAt(Date.UTC(2026, 0, 5, 10, 1));
    await settle(h, () => h.wakes() > 1);
    expect(h.wakes()).toBe(1);
    await h.deleter.stop?.();
  });
});

describe('the deleter cycle on a full trash/queue/', () => {
  const logText = (): string => fs.readFileSync(path.join(root, 'tsmdeleter.log'), 'utf8');
  const queueEntries = (h: Harness): string[] => fs.readdirSync(path.join(h.dir, 'trash', 'queue'));
  const trashIds = (h: Harness): string[] => fs.readdirSync(path.join(h.dir, 'trash')).filter((n) => n !== 'queue');

  it('fault 15: failed queue writes leave no temporary file, cycle after cycle; the trash files stay and are queued once there is room', async () => {
    const h = await harness(at(2024, 1, 15, 12), { deleter_queueprocinterval: 'monthly' });
    trash(h, [id(1), id(2)]);
    const failing = await failWritesHalfway(path.join(h.dir, 'trash', 'queue'));
    try {
      for (const minute of [0, 1, 2]) {
        await h.cycleAt(at(2024, 1, 15, 12, minute));
        expect(queueEntries(h)).toEqual([]);
      }
    } finally {
      failing.spy.mockRestore();
    }
    expect(failing.tempsSeen).toHaveLength(3); // one temporary file per attempt, each removed
    expect(trashIds(h).sort()).toEqual([id(1), id(2)]);
    expect(logText().match(/\[trash_queue_failed\] .*ENOSPC/g)).toHaveLength(3);

    await h.cycleAt(at(2024, 1, 15, 12, 3));
    expect(queueFiles(h)).toHaveLength(1);
    expect(h.deleter.figures()['deleter_waiting_files']).toBe(2);
    const deadline = Date.now() + 20_000;
    while (trashIds(h).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(trashIds(h)).toEqual([]);
  });

  it('a pass whose undeleted ids cannot be written keeps the processed queue files (queue before remove) and retries', async () => {
    const h = await harness(at(2024, 1, 15, 12), { deleter_queueprocinterval: 'monthly' }, {
      rules: [{ command: 'delete', action: 'fail', times: 1, rc: 12, message: 'ANS1017E Session rejected: TCP/IP connection failure' }],
    });
    trash(h, [id(7), id(8)]);
    await h.cycleAt(at(2024, 1, 15, 12));
    const before = queueFiles(h);
    expect(before).toHaveLength(1);
    const failing = await failWritesHalfway(path.join(h.dir, 'trash', 'queue'));
    try {
      await h.cycleAt(at(2024, 1, 15, 12), true); // SIGUSR1
      await h.cycleUntil(at(2024, 1, 15, 12), () => logText().includes('[queue_processing_failed]'));
    } finally {
      failing.spy.mockRestore();
    }
    expect(failing.tempsSeen).toHaveLength(1);
    expect(queueEntries(h)).toEqual(before); // the queue file stays, no temporary file
    expect(h.deleter.figures()).toMatchObject({ deleter_waiting_files: 2, deleter_backoff_failures: 1 });

    await h.cycleUntil(at(2024, 1, 15, 12, 2), () => h.deleter.figures()['deleter_deleted_files'] === 2);
    expect(queueFiles(h)).toEqual([]);
    expect(listObjects(h.library)).toEqual([]);
  });
});
