/**
 * Several pools on one TSM node (issue 12): real daemons of two pools,
 * each with its own configuration, coordinated through a real ZooKeeper,
 * against one fake dsmc library (the shared TSM node) with slow sessions.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { pnfsid, readLog, startDaemon, waitFor } from './harness.js';
import { readJournal } from '../../src/fake-dsmc/library.js';
import {
  LeaseSampler,
  concurrencyPerSecond,
  groupPool,
  maxConcurrent,
  readPoolStats,
  seedRecalls,
  sessionIntervals,
  volumeOverlaps,
  writeOutFiles,
  writeRecalls,
  type GroupPool,
} from './coordination-tools.js';
import { ZooKeeperTestServer } from './zookeeper-server.js';

let zk: ZooKeeperTestServer;
beforeAll(async () => {
  zk = await ZooKeeperTestServer.start();
}, 120_000);
afterAll(async () => zk.close());

const samplers: LeaseSampler[] = [];
afterEach(async () => {
  for (const s of samplers.splice(0)) await s.stop();
  if (!zk.isRunning) await zk.startAgain();
});

let groups = 0;
/** A group of its own per test, under a chroot that endit creates. */
function newGroup(): { zookeeper: string; group: string; sessionsPath: string } {
  const group = `IT${++groups}`;
  return { zookeeper: `${zk.connectString}/endit-it`, group, sessionsPath: `/endit-it/${group}/sessions` };
}

async function sampler(sessionsPath: string, limits = { maxSessions: 3, archiveReserve: 1 }): Promise<LeaseSampler> {
  const s = new LeaseSampler(zk.connectString, sessionsPath, limits);
  samplers.push(s);
  await s.start();
  return s;
}

/** Measurements go to the test's annotations, and to the file $ENDIT_MEASUREMENTS names when it is set. */
async function measured(context: TestContext, text: string): Promise<void> {
  await context.annotate(text);
  const file = process.env['ENDIT_MEASUREMENTS'];
  if (file !== undefined) fs.appendFileSync(file, `${text}\n`);
}

const staged = (p: GroupPool): number => readPoolStats(p, 'retriever')?.['retriever_staged_files'] ?? 0;
const linesOf = (p: GroupPool, daemon: 'archiver' | 'retriever', text: string): string[] => readLog(p.pool, daemon).split('\n').filter((l) => l.includes(text));

/** Waits until each daemon's log has `text`; returns when each was first seen, in ms after `sinceMs`. */
async function seenInLogs(daemons: readonly [GroupPool, 'archiver' | 'retriever'][], text: string, sinceMs: number): Promise<number[]> {
  const seen = daemons.map(() => -1);
  await waitFor(() => {
    daemons.forEach(([p, d], i) => {
      if (seen[i] === -1 && linesOf(p, d, text).length > 0) seen[i] = Date.now() - sinceMs;
    });
    return seen.every((ms) => ms >= 0);
  }, `${text} in every log`, 60_000);
  return seen;
}

describe('two pools sharing one TSM node through ZooKeeper', () => {
  it('never more than coordination_maxsessions, recalls never in the archive reserve, one reader per volume', async (context) => {
    const { zookeeper, group, sessionsPath } = newGroup();
    const a = groupPool('poolA', zookeeper, group, null);
    const b = groupPool('poolB', zookeeper, group, a.env['FAKE_DSMC_LIBRARY'] as string);
    // Both pools want V1 and V2 (one tape, two pools); each has tapes of its own too.
    seedRecalls(a, { V1: [1, 2], V2: [3, 4], VA1: [5, 6], VA2: [7, 8] });
    seedRecalls(b, { V1: [101, 102], V2: [103, 104], VB1: [105, 106] });
    writeOutFiles(a, [201, 202, 203, 204]);
    const watch = await sampler(sessionsPath);
    const startMs = Date.now();
    writeRecalls(a, [1, 2, 3, 4, 5, 6, 7, 8]);
    writeRecalls(b, [101, 102, 103, 104, 105, 106]);
    for (const [p, daemons] of [[a, ['retriever', 'archiver']], [b, ['retriever']]] as const) for (const d of daemons) startDaemon(d, p.pool, p.env);

    await waitFor(() => staged(a) === 8 && staged(b) === 6 && readPoolStats(a, 'archiver')?.['archiver_flushed_files'] === 4, 'every recall staged and out/ flushed', 150_000);
    const sessions = sessionIntervals(a.env['FAKE_DSMC_LIBRARY'] as string);
    const recalls = sessions.filter((s) => s.command === 'retrieve');
    const archives = sessions.filter((s) => s.command === 'archive');
    expect(recalls.length).toBeGreaterThanOrEqual(7);
    // The journal of the shared library (every dsmc of both pools) and ZooKeeper seen from outside agree.
    expect(maxConcurrent(sessions)).toBeLessThanOrEqual(3);
    expect(watch.maxTotal).toBeLessThanOrEqual(3);
    expect(maxConcurrent(recalls)).toBe(2);
    expect(watch.maxRecalls).toBeLessThanOrEqual(2);
    expect(volumeOverlaps(recalls)).toEqual([]);
    // The archive session started while recalls still waited for sessions.
    expect(Math.min(...archives.map((s) => s.startMs))).toBeLessThan(Math.max(...recalls.map((s) => s.startMs)));
    for (const p of [a, b]) expect(readPoolStats(p, 'retriever')?.['retriever_coordination_state']).toBe(1);
    expect([...linesOf(a, 'retriever', 'coordination_lost'), ...linesOf(a, 'archiver', 'coordination_lost'), ...linesOf(b, 'retriever', 'coordination_lost')]).toEqual([]);
    const journal = concurrencyPerSecond(sessions, startMs, Date.now()).join(' ');
    await measured(context, `budget run (budget 3, reserve 1): dsmc sessions per second (journal) ${journal}; leases per second (ZooKeeper) ${watch.perSecond(startMs).join(' ')}; max ${watch.maxTotal} (recalls ${watch.maxRecalls}); dsmc at once (journal) ${maxConcurrent(sessions)}, recalls ${maxConcurrent(recalls)}; ${recalls.length} retrieve and ${archives.length} archive sessions in ${Math.round((Date.now() - startMs) / 1000)} s`);
  }, 180_000);

  it("the second pool's session for a volume starts right after the first pool's ends: a follow-on, no fill wait", async (context) => {
    const { zookeeper, group } = newGroup();
    const a = groupPool('poolA', zookeeper, group, null);
    // Pool B waits two minutes for a request list to fill: only a follow-on starts at once.
    const b = groupPool('poolB', zookeeper, group, a.env['FAKE_DSMC_LIBRARY'] as string, { retriever_reqlistfillwait: 120, retriever_reqlistfillwaitmax: 600 });
    seedRecalls(a, { V7: [11, 12, 13] });
    seedRecalls(b, { V7: [111, 112] });
    startDaemon('retriever', a.pool, a.env);
    startDaemon('retriever', b.pool, b.env);
    writeRecalls(a, [11, 12, 13]);
    await waitFor(() => linesOf(a, 'retriever', 'Starting retrieve session for volume V7').length === 1, "pool A's session on V7", 60_000);
    const requestedMs = Date.now();
    writeRecalls(b, [111, 112]);
    await waitFor(() => staged(b) === 2, "pool B's files of V7", 90_000);
    const v7 = sessionIntervals(a.env['FAKE_DSMC_LIBRARY'] as string).filter((s) => s.volumes.includes('V7'));
    expect(v7).toHaveLength(2);
    const [first, second] = v7 as [(typeof v7)[0], (typeof v7)[0]];
    expect(first.ids).toContain(pnfsid(11));
    expect(second.ids).toEqual([pnfsid(111), pnfsid(112)]);
    expect(second.startMs).toBeGreaterThanOrEqual(first.endMs);
    expect(linesOf(b, 'retriever', 'Starting retrieve session for volume V7')[0]).toMatch(/\(follow-on: tape still mounted\)$/);
    // Started well within the 120 s fill wait its requests would otherwise have had to wait.
    expect(second.startMs - requestedMs).toBeLessThan(120_000);
    await measured(context, `follow-on: pool B's session on V7 started ${second.startMs - first.endMs} ms after pool A's ended`);
  }, 180_000);
});

describe('ZooKeeper stopped mid-run', () => {
  it('every daemon goes on under its local limits (coordination_lost), and rejoins when ZooKeeper is back (coordination_restored)', async (context) => {
    const { zookeeper, group, sessionsPath } = newGroup();
    // Coordinated, the group runs one recall at a time (2 sessions, 1 for archives); alone, each retriever two.
    const config = { coordination_maxsessions: 2, retriever_maxworkers: 2 };
    const a = groupPool('poolA', zookeeper, group, null, config);
    const b = groupPool('poolB', zookeeper, group, a.env['FAKE_DSMC_LIBRARY'] as string, config);
    const library = a.env['FAKE_DSMC_LIBRARY'] as string;
    const volumes = [1, 2, 3, 4];
    const later = [5, 6];
    seedRecalls(a, Object.fromEntries([...volumes, ...later].map((v) => [`VA${v}`, [v * 10, v * 10 + 1]])));
    seedRecalls(b, Object.fromEntries([...volumes, ...later].map((v) => [`VB${v}`, [100 + v * 10, 101 + v * 10]])));
    writeOutFiles(a, [901, 902]);
    await sampler(sessionsPath, { maxSessions: 2, archiveReserve: 1 });
    writeRecalls(a, volumes.flatMap((v) => [v * 10, v * 10 + 1]));
    writeRecalls(b, volumes.flatMap((v) => [100 + v * 10, 101 + v * 10]));
    const daemons: [GroupPool, 'archiver' | 'retriever'][] = [[a, 'retriever'], [a, 'archiver'], [b, 'retriever']];
    const startMs = Date.now();
    for (const [p, d] of daemons) startDaemon(d, p.pool, p.env);
    const recalls = () => sessionIntervals(library).filter((s) => s.command === 'retrieve');
    await waitFor(() => recalls().some((s) => s.endMs !== Infinity) && readPoolStats(a, 'archiver')?.['archiver_flushed_files'] === 2, 'a recall and the flush done, coordinated', 90_000);
    expect(maxConcurrent(recalls())).toBe(1);

    await zk.stop();
    const stoppedMs = Date.now();
    const fallBackMs = await seenInLogs(daemons, '[coordination_lost]', stoppedMs);
    // Under local limits: recalls of both pools at once, beyond the group's one, and archiving goes on.
    writeOutFiles(a, [903, 904]);
    await waitFor(() => maxConcurrent(recalls().filter((s) => s.startMs > stoppedMs)) >= 3, 'three recalls at once without ZooKeeper', 90_000);
    await waitFor(() => readPoolStats(a, 'archiver')?.['archiver_flushed_files'] === 4, 'the new files flushed without ZooKeeper', 60_000);
    expect(readPoolStats(a, 'retriever')?.['retriever_coordination_state']).toBe(0);

    await zk.startAgain();
    const backMs = Date.now();
    const rejoinMs = await seenInLogs(daemons, '[coordination_restored]', backMs);
    const rejoinedMs = Date.now();
    await waitFor(() => daemons.every(([p, d]) => readPoolStats(p, d)?.[`${d}_coordination_state`] === 1), 'coordinated again (figures)', 30_000);
    // New recalls after the rejoin: the group's budget again.
    writeRecalls(a, later.flatMap((v) => [v * 10, v * 10 + 1]));
    writeRecalls(b, later.flatMap((v) => [100 + v * 10, 101 + v * 10]));
    await waitFor(() => staged(a) === 12 && staged(b) === 12, 'every recall staged', 240_000);
    // Coordination never killed a session: every dsmc ended by itself.
    expect(readJournal(library).filter((e) => e.event === 'end' && (e.signal !== undefined || e.rc !== 0))).toEqual([]);
    // Rejoined, the sessions started under local limits count: a session starts only when the group has room again.
    const all = sessionIntervals(library);
    const startedAfter = all.filter((s) => s.startMs > rejoinedMs);
    expect(startedAfter.length).toBeGreaterThan(0);
    for (const s of startedAfter) expect(all.filter((o) => o.startMs <= s.startMs && o.endMs > s.startMs).length, `at the start of pid ${s.pid}`).toBeLessThanOrEqual(2);
    const timeline = concurrencyPerSecond(sessionIntervals(library), startMs, Date.now()).join(' ');
    await measured(context, `ZooKeeper stopped at ${Math.round((stoppedMs - startMs) / 1000)} s, back at ${Math.round((backMs - startMs) / 1000)} s: coordination_lost after ${fallBackMs.join(', ')} ms (retriever A, archiver A, retriever B; sleeptime 1 s); coordination_restored after ${rejoinMs.join(', ')} ms; dsmc sessions per second (journal, budget 2) ${timeline}`);
  }, 300_000);
});
