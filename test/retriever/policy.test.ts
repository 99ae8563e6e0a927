import { describe, expect, it } from 'vitest';
import {
  countBackoffVolumes,
  decideReadAhead,
  decideRetrieverCycle,
  INITIAL_RETRIEVER_STATE,
  planCutList,
  rankWaitingVolumes,
  recordRetrieveOutcome,
  recordSessionFromHistory,
  type RequestInfo,
  type RetrieverState,
  type RetrieverView,
  type RunningVolume,
  type VolumeSummary,
} from '../../src/retriever/policy.js';
import type { RetrieverSettings } from '../../src/retriever/settings.js';
import { GIB } from '../../src/core/units.js';
import { sortTapeOrder } from '../../src/retriever/tape-order.js';
import { retrieverTestSettings } from './test-settings.js';

const MIB = 1024 ** 2;
const T0 = 1_700_000_000_000;
const MIN = 60_000;

const settings = retrieverTestSettings();

/** A big, empty filesystem: space never matters unless a test says so. */
const roomy = { freeBytes: 10_000 * GIB, totalBytes: 20_000 * GIB };

/** `count` requests of `sizeBytes`, the first `ageMs` old, each next one a second younger. */
function requests(prefix: string, count: number, ageMs: number, sizeBytes = GIB, nowMs = T0): RequestInfo[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${String(i).padStart(4, '0')}`,
    sizeBytes,
    sinceMs: nowMs - ageMs + i * 1000,
    order: [0, 0, 0, count - i] as const,
  }));
}

interface World {
  readonly byVolume: Record<string, RequestInfo[]>;
  readonly unread?: Record<string, number>;
}

function summaries(world: World): VolumeSummary[] {
  return Object.entries(world.byVolume).map(([name, list]) => ({
    name,
    files: list.length,
    bytes: list.reduce((a, r) => a + r.sizeBytes, 0),
    oldestMs: Math.min(...list.map((r) => r.sinceMs)),
    newestMs: Math.max(...list.map((r) => r.sinceMs)),
    unread: world.unread?.[name] ?? 0,
  }));
}

function view(world: World, over: Partial<RetrieverView> = {}): RetrieverView {
  return {
    nowMs: T0,
    skipDelays: false,
    volumes: summaries(world),
    requestsOf: (volume) => world.byVolume[volume] ?? [],
    running: [],
    space: roomy,
    ...over,
  };
}

function started(state: RetrieverState, world: World, over: Partial<RetrieverView> = {}, s: RetrieverSettings = settings): string[] {
  return decideRetrieverCycle(s, state, view(world, over)).sessions.map((p) => p.volume);
}

describe('fill wait and fill-wait max (real volumes)', () => {
  it.each([
    // size of each of the two requests, newest age, oldest age (minutes), starts?
    // Small lists (2 GiB) also wait until their oldest is a third of fillwaitmax (40 min) old.
    { sizeGiB: 1, newest: 1, oldest: 5, starts: false, why: 'newest younger than the fill wait, oldest younger than the max' },
    { sizeGiB: 1, newest: 10, oldest: 40, starts: true, why: 'quiet for the whole fill wait' },
    { sizeGiB: 1, newest: 9, oldest: 119, starts: false, why: 'still filling, max not reached' },
    { sizeGiB: 1, newest: 1, oldest: 120, starts: true, why: 'the oldest waited the fill-wait maximum' },
    // Lists worth a mount (80 GiB) need only half the fill wait of quiet.
    { sizeGiB: 40, newest: 4, oldest: 30, starts: false, why: 'a list worth a mount, quiet for less than half the fill wait' },
    { sizeGiB: 40, newest: 5, oldest: 30, starts: true, why: 'a list worth a mount, quiet for half the fill wait' },
  ])('$why', ({ sizeGiB, newest, oldest, starts }) => {
    const list: RequestInfo[] = [
      { id: 'A1', sizeBytes: sizeGiB * GIB, sinceMs: T0 - oldest * MIN, order: null },
      { id: 'A2', sizeBytes: sizeGiB * GIB, sinceMs: T0 - newest * MIN, order: null },
    ];
    const state: RetrieverState = { volumes: new Map([['VOL1', { lastMountEndMs: null, lastRealMountEndMs: null, followOn: false, lastCut: false, backoff: { failures: 0, lastFailureMs: 0 }, waitingSinceMs: T0 - oldest * MIN }]]) };
    expect(started(state, { byVolume: { VOL1: list } })).toEqual(starts ? ['VOL1'] : []);
    // Before issue 11 (the simulator's "today" baseline) every list waited the whole fill wait, and no more.
    expect(started(state, { byVolume: { VOL1: list } }, {}, { ...settings, volumeOrder: 'oldest-first' })).toEqual(newest >= 10 || oldest >= 120 ? ['VOL1'] : []);
  });

  it('does not wait for the default volume', () => {
    expect(started(INITIAL_RETRIEVER_STATE, { byVolume: { default: requests('D', 2, 1000) } })).toEqual(['default']);
  });

  it('wakes up when the first wait ends, not a whole sleeptime later', () => {
    const d = decideRetrieverCycle({ ...settings, sleepMs: 30 * MIN }, INITIAL_RETRIEVER_STATE, view({ byVolume: { VOL1: requests('A', 1, 3 * MIN, 80 * GIB) } }));
    expect(d.sessions).toEqual([]);
    expect(d.waitMs).toBe(2 * MIN);
  });

  it('a clock set back (request mtimes in the future) cannot stall a volume beyond the fill-wait maximum', () => {
    const future = requests('A', 2, -24 * 60 * MIN); // written "a day from now"
    const world = { byVolume: { VOL1: future } };
    const first = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world));
    expect(first.sessions).toEqual([]);
    expect(started(first.nextState, world, { nowMs: T0 + 119 * MIN })).toEqual([]);
    expect(started(first.nextState, world, { nowMs: T0 + 120 * MIN })).toEqual(['VOL1']);
  });
});

describe('issue 11: a list under a mount\'s worth waits for company (fake clock)', () => {
  // settings: fillwaitmax 120 min, so a small list waits until its oldest request is 40 min old.
  it.each([
    { sizeGiB: 1, ageMin: 39, starts: false, waitMin: 1, why: 'a stray recall, young' },
    { sizeGiB: 1, ageMin: 40, starts: true, waitMin: 0, why: 'a stray recall, a third of fillwaitmax old' },
    { sizeGiB: 71, ageMin: 11, starts: false, waitMin: 29, why: 'just under the mount cost (72 GiB)' },
    { sizeGiB: 72, ageMin: 11, starts: true, waitMin: 0, why: 'worth a mount (72 GiB): only the fill wait' },
    { sizeGiB: 72, ageMin: 4, starts: false, waitMin: 1, why: 'worth a mount, still filling (half the fill wait)' },
    { sizeGiB: 0.1, ageMin: 11, mountCostGiB: 0.072, starts: true, waitMin: 0, why: 'retriever_mountcost 0.072: 0.1 GiB is worth a mount' },
    { sizeGiB: 0.07, ageMin: 11, mountCostGiB: 0.072, starts: false, waitMin: 29, why: 'retriever_mountcost 0.072: 0.07 GiB is small' },
    { sizeGiB: 100, ageMin: 11, mountCostGiB: 200, starts: false, waitMin: 29, why: 'retriever_mountcost 200: 100 GiB is small' },
    { sizeGiB: 1, ageMin: 11, mountCostGiB: 0, starts: true, waitMin: 0, why: 'retriever_mountcost 0: every list is worth a mount' },
  ])('$why: $sizeGiB GiB, $ageMin min old → starts $starts', ({ sizeGiB, ageMin, mountCostGiB, starts, waitMin }) => {
    const world = { byVolume: { VOL1: requests('A', 1, ageMin * MIN, sizeGiB * GIB) } };
    const mountCostBytes = mountCostGiB === undefined ? settings.mountCostBytes : mountCostGiB * GIB;
    const d = decideRetrieverCycle({ ...settings, sleepMs: 60 * MIN, mountCostBytes }, INITIAL_RETRIEVER_STATE, view(world));
    expect(d.sessions.map((p) => p.volume)).toEqual(starts ? ['VOL1'] : []);
    if (!starts) expect(d.waitMs).toBe(waitMin * MIN);
  });

  it('says why it waits', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view({ byVolume: { VOL1: requests('A', 1, 20 * MIN) } }));
    expect(d.reasons).toEqual(["VOL1: waiting 1200 s (list under a mount's worth, waiting for more requests of its tape)"]);
  });

  it('not for the default volume, nor with SIGUSR1', () => {
    expect(started(INITIAL_RETRIEVER_STATE, { byVolume: { default: requests('D', 1, 1000) } })).toEqual(['default']);
    expect(started(INITIAL_RETRIEVER_STATE, { byVolume: { VOL1: requests('A', 1, 1000) } }, { skipDelays: true })).toEqual(['VOL1']);
  });

  it('not before issue 11 (the simulator\'s "today" baseline)', () => {
    expect(started(INITIAL_RETRIEVER_STATE, { byVolume: { VOL1: requests('A', 1, 11 * MIN) } }, {}, { ...settings, volumeOrder: 'oldest-first' })).toEqual(['VOL1']);
  });
});

/**
 * The remount delay (issue 11): a volume whose tape was really mounted less
 * than retriever_remountdelay ago ranks after every other volume, so it
 * gets a drive only when no other volume is ready for it; it no longer
 * holds a drive idle. No mount retention (no follow-on) and no starvation
 * within the tests' times.
 */
const remountOnly: RetrieverSettings = { ...settings, mountRetentionMs: 0, fillWaitMaxMs: 24 * 60 * MIN };
const READ = { succeeded: true, killedByUs: false, cut: false, mounted: true };
const REMOUNT_REASON = 'list ready, on a slot no other volume was ready for (remount within retriever_remountdelay)';

function reasonsOf(state: RetrieverState, world: World, over: Partial<RetrieverView> = {}, s: RetrieverSettings = settings): Array<[string, string]> {
  return decideRetrieverCycle(s, state, view(world, { volumes: summaries(world), ...over })).sessions.map((p) => [p.volume, p.reason]);
}

describe('remount delay', () => {
  // Worth a mount (90 GiB) and quiet: ready but for the remount delay.
  const world = { byVolume: { VOL1: requests('A', 3, 60 * MIN, 30 * GIB) } };
  // Ready too, with less work than VOL1.
  const contested = { byVolume: { ...world.byVolume, OTHER: requests('B', 1, 60 * MIN, 80 * GIB) } };
  const ended = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', READ, T0 - 30 * MIN);
  const oneDrive = { ...remountOnly, maxWorkers: 1 };

  it.each([
    { sinceEndMin: 30, first: 'OTHER' },
    { sinceEndMin: 119, first: 'OTHER' },
    { sinceEndMin: 120, first: 'VOL1' },
  ])('$sinceEndMin min after its last session, one drive: $first goes first', ({ sinceEndMin, first }) => {
    expect(started(ended, contested, { nowMs: T0 - 30 * MIN + sinceEndMin * MIN }, oneDrive)).toEqual([first]);
  });

  it('gets a drive that no other volume is ready for, at once', () => {
    expect(reasonsOf(ended, world, {}, remountOnly)).toEqual([['VOL1', REMOUNT_REASON]]);
    expect(reasonsOf(ended, contested, {}, remountOnly)).toEqual([
      ['OTHER', 'list ready'],
      ['VOL1', REMOUNT_REASON],
    ]);
  });

  it('before issue 11 (the simulator\'s "today" baseline) it held the volume', () => {
    const today = { ...remountOnly, volumeOrder: 'oldest-first' as const };
    expect(started(ended, world, { nowMs: T0 + 89 * MIN }, today)).toEqual([]);
    expect(started(ended, world, { nowMs: T0 + 90 * MIN }, today)).toEqual(['VOL1']);
  });

  it('does not apply to the default volume', () => {
    const state = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'default', READ, T0);
    expect(reasonsOf(state, { byVolume: { default: requests('D', 1, 1000) } })).toEqual([['default', 'no volume known']]);
  });

  it('does not apply after a session that was cut for space: the rest of the tape follows', () => {
    const cut = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { ...READ, cut: true }, T0 - MIN);
    expect(reasonsOf(cut, world, {}, remountOnly)).toEqual([['VOL1', 'list ready']]);
  });

  it('does not apply after a session that delivered nothing (the tape was not read): only the back-off does', () => {
    const nothing = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { succeeded: false, killedByUs: false, cut: false, mounted: false }, T0);
    expect(started(nothing, world, { nowMs: T0 + MIN - 1 })).toEqual([]);
    expect(reasonsOf(nothing, world, { nowMs: T0 + MIN })).toEqual([['VOL1', 'list ready']]);
  });

  it('does not apply after a session we killed (space): the rest of the tape follows', () => {
    const killed = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { succeeded: false, killedByUs: true, cut: false, mounted: true }, T0 - MIN);
    expect(reasonsOf(killed, world, {}, remountOnly)).toEqual([['VOL1', 'list ready']]);
  });

  it('a clock set back never makes the delay longer than remountdelay', () => {
    // The last session "ended" a day in the future of the clock now.
    const state = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { ...READ, succeeded: false }, T0 + 24 * 60 * MIN);
    const now = decideRetrieverCycle(oneDrive, state, view(contested));
    expect(now.sessions.map((p) => p.volume)).toEqual(['OTHER']);
    expect(started(now.nextState, contested, { nowMs: T0 + 120 * MIN - 1 }, oneDrive)).toEqual(['OTHER']);
    expect(started(now.nextState, contested, { nowMs: T0 + 120 * MIN }, oneDrive)).toEqual(['VOL1']);
  });
});

describe('retriever_maxworkers and running volumes', () => {
  const world = {
    byVolume: { VOL1: requests('A', 2, 300 * MIN), VOL2: requests('B', 2, 200 * MIN), VOL3: requests('C', 2, 100 * MIN) },
  };

  it.each([
    { maxWorkers: 1, running: [], expected: ['VOL1'] },
    { maxWorkers: 2, running: [], expected: ['VOL1', 'VOL2'] },
    { maxWorkers: 5, running: [], expected: ['VOL1', 'VOL2', 'VOL3'] },
    { maxWorkers: 2, running: ['VOL1'], expected: ['VOL2'] },
    { maxWorkers: 2, running: ['VOLX'], expected: ['VOL1'] },
    { maxWorkers: 2, running: ['VOLX', 'VOLY'], expected: [] },
    { maxWorkers: 3, running: ['VOL2'], expected: ['VOL1', 'VOL3'] },
  ])('maxworkers $maxWorkers with $running running → $expected', ({ maxWorkers, running, expected }) => {
    const runningVolumes: RunningVolume[] = running.map((volume) => ({ volume, stillToLandBytes: 0 }));
    expect(started(INITIAL_RETRIEVER_STATE, world, { running: runningVolumes }, { ...settings, maxWorkers })).toEqual(expected);
  });

  it('starts the volume with the oldest request first, whatever the order of the summaries', () => {
    const shuffled = { byVolume: { VOL3: world.byVolume.VOL3, VOL1: world.byVolume.VOL1, VOL2: world.byVolume.VOL2 } };
    expect(started(INITIAL_RETRIEVER_STATE, shuffled, {}, { ...settings, maxWorkers: 1 })).toEqual(['VOL1']);
  });

  it('puts each list in tape order', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world));
    const ids = d.sessions[0]?.requests.map((r) => r.id);
    expect(ids).toEqual(['A0001', 'A0000']); // order [.., 1] before [.., 2]
  });
});

describe('reading before planning (lazy reading)', () => {
  it('asks to read a chosen volume whose requests are unread, and plans nothing before that', () => {
    const world = { byVolume: { VOL1: requests('A', 2, 300 * MIN), VOL2: requests('B', 2, 200 * MIN) }, unread: { VOL2: 1 } };
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world));
    expect(d.readFirst).toEqual(['VOL2']);
    expect(d.sessions).toEqual([]);
    expect(d.waitMs).toBe(0);
  });

  it('does not read volumes that are not due', () => {
    const world = { byVolume: { VOL1: requests('A', 2, MIN) }, unread: { VOL1: 2 } };
    expect(decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world)).readFirst).toEqual([]);
  });
});

describe('reading ahead while every slot is busy (decideReadAhead)', () => {
  // Both old enough to be ready (fill-wait maximum passed); VOL3 still filling.
  const world = {
    byVolume: { VOL1: requests('A', 2, 300 * MIN), VOL2: requests('B', 2, 200 * MIN), VOL3: requests('C', 2, MIN), RUN: requests('R', 2, 400 * MIN) },
    unread: { VOL1: 1, VOL2: 2, VOL3: 2, RUN: 2 },
  };
  const running = [{ volume: 'RUN', stillToLandBytes: GIB }];

  it.each([
    { what: 'the next ready volume with unread requests', count: 1, unread: world.unread, expected: ['VOL1'] },
    { what: 'as many ready volumes as slots may free, in the order they get one', count: 2, unread: world.unread, expected: ['VOL1', 'VOL2'] },
    { what: 'never a volume still filling, nor the running one', count: 5, unread: world.unread, expected: ['VOL1', 'VOL2'] },
    { what: 'a ready volume already read counts as next in line but needs no reading', count: 1, unread: { VOL2: 2, VOL3: 2 }, expected: [] },
    { what: 'the volume after a read one', count: 2, unread: { VOL2: 2, VOL3: 2 }, expected: ['VOL2'] },
  ])('$what', ({ count, unread, expected }) => {
    expect(decideReadAhead(settings, INITIAL_RETRIEVER_STATE, view({ ...world, unread }, { running }), count)).toEqual(expected);
  });

  it('reads ahead the volume the next plan chooses once a slot frees', () => {
    const s = { ...settings, maxWorkers: 1 };
    const [next] = decideReadAhead(s, INITIAL_RETRIEVER_STATE, view(world, { running }), 1);
    const afterEnd = decideRetrieverCycle(s, INITIAL_RETRIEVER_STATE, view({ ...world, byVolume: { ...world.byVolume, RUN: [] } }, { running: [] }));
    expect(afterEnd.readFirst).toEqual([next]);
  });
});

describe('SIGUSR1', () => {
  const world = { byVolume: { VOL1: requests('A', 1, 1000) } };
  const failed = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { succeeded: false, killedByUs: false, cut: false, mounted: true }, T0);

  it.each([
    { what: 'fill wait', state: INITIAL_RETRIEVER_STATE },
    { what: 'remount delay', state: recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', { succeeded: true, killedByUs: false, cut: false, mounted: true }, T0) },
    { what: 'back-off', state: failed },
  ])('skips the $what once', ({ state }) => {
    expect(started(state, world, {}, remountOnly)).toEqual([]);
    expect(started(state, world, { skipDelays: true }, remountOnly)).toEqual(['VOL1']);
  });

  it('does not skip the space rules', () => {
    expect(started(INITIAL_RETRIEVER_STATE, world, { skipDelays: true, space: { freeBytes: 50 * GIB, totalBytes: 1000 * GIB } })).toEqual([]);
  });
});

describe('per-volume back-off (SPEC 11.3)', () => {
  const world = { byVolume: { VOL1: requests('A', 1, 300 * MIN), VOL2: requests('B', 1, 200 * MIN) } };
  const fail = (state: RetrieverState, nowMs: number): RetrieverState => recordRetrieveOutcome(state, 'VOL1', { succeeded: false, killedByUs: false, cut: true, mounted: true }, nowMs);

  it('waits sleeptime·2^(n−1) after n failures of a volume, without holding others back', () => {
    const twice = fail(fail(INITIAL_RETRIEVER_STATE, T0), T0);
    expect(started(twice, world, { nowMs: T0 + 2 * MIN - 1 })).toEqual(['VOL2']);
    expect(started(twice, world, { nowMs: T0 + 2 * MIN })).toEqual(['VOL1', 'VOL2']);
    expect(countBackoffVolumes(twice, T0 + MIN, settings)).toBe(1);
  });

  it('caps the wait at retry_backoff_max', () => {
    let state = INITIAL_RETRIEVER_STATE;
    for (let i = 0; i < 12; i++) state = fail(state, T0);
    expect(started(state, world, { nowMs: T0 + 60 * MIN - 1 })).toEqual(['VOL2']);
    expect(started(state, world, { nowMs: T0 + 60 * MIN })).toEqual(['VOL1', 'VOL2']);
  });

  it('a success resets it, and a session we killed ourselves does not count', () => {
    const failed = fail(INITIAL_RETRIEVER_STATE, T0);
    const killed = recordRetrieveOutcome(failed, 'VOL1', { succeeded: false, killedByUs: true, cut: true, mounted: true }, T0);
    expect(killed.volumes.get('VOL1')?.backoff.failures).toBe(1);
    const ok = recordRetrieveOutcome(failed, 'VOL1', { succeeded: true, killedByUs: false, cut: true, mounted: true }, T0);
    expect(ok.volumes.get('VOL1')?.backoff.failures).toBe(0);
  });
});

describe('space states (SPEC 6.5)', () => {
  const world = { byVolume: { VOL1: requests('A', 1, 300 * MIN) } };
  const fs1000 = (freeGiB: number) => ({ freeBytes: freeGiB * GIB, totalBytes: 1000 * GIB });
  const running: RunningVolume[] = [{ volume: 'VOLX', stillToLandBytes: 0 }];

  it.each([
    // buffer 100 GiB: backlog line 90 GiB, kill line 5 GiB
    { free: 500, state: 'OK', starts: true, kills: false },
    { free: 90, state: 'OK', starts: true, kills: false },
    { free: 89.9, state: 'BACKLOG', starts: false, kills: false },
    { free: 5, state: 'BACKLOG', starts: false, kills: false },
    { free: 4.9, state: 'FULL', starts: false, kills: true },
  ])('$free GiB free → $state', ({ free, state, starts, kills }) => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world, { space: fs1000(free), running }));
    expect(d.spaceState).toBe(state);
    expect(d.sessions.length > 0).toBe(starts);
    expect(d.killSessions).toBe(kills);
    if (!starts) expect(d.hold).toBe(state);
  });

  it('uses the absolute floors (1 GiB kill, 2 GiB backlog) with a small buffer', () => {
    const small = { ...settings, bufferBytes: GIB };
    const at = (freeGiB: number) => decideRetrieverCycle(small, INITIAL_RETRIEVER_STATE, view(world, { space: fs1000(freeGiB) })).spaceState;
    expect([at(2), at(1.99), at(0.99)]).toEqual(['OK', 'BACKLOG', 'FULL']);
  });

  it('uses half the filesystem as the buffer when the filesystem is smaller than it', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world, { space: { freeBytes: 40 * GIB, totalBytes: 50 * GIB } }));
    expect(d.lines).toMatchObject({ bufferShrunk: true, bufferBytes: 25 * GIB });
    expect(d.lines?.backlogLineBytes).toBe(22.5 * GIB);
    expect(d.spaceState).toBe('OK');
  });

  it('starts nothing and kills nothing when the free space is unknown', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world, { space: null, running }));
    expect(d).toMatchObject({ spaceState: 'UNKNOWN', killSessions: false, sessions: [] });
  });
});

describe('space reservation (SPEC 11.1)', () => {
  const small = { ...settings, bufferBytes: GIB, maxWorkers: 3 }; // kill line 1 GiB, backlog line 2 GiB
  const space = (freeMiB: number) => ({ freeBytes: freeMiB * MIB, totalBytes: 1000 * GIB });

  it('cuts a list to the oldest requests that fit above the kill line, in tape order', () => {
    const list = requests('A', 10, 300 * MIN, 512 * MIB); // A0000 oldest, tape order reversed
    const d = decideRetrieverCycle(small, INITIAL_RETRIEVER_STATE, view({ byVolume: { VOL1: list } }, { space: space(3 * 1024) }));
    const session = d.sessions[0];
    expect(session?.cut).toBe(true);
    expect(session?.bytes).toBe(2 * GIB); // 3 GiB free − 1 GiB kill line
    expect(session?.requests.map((r) => r.id)).toEqual(['A0003', 'A0002', 'A0001', 'A0000']);
  });

  it('counts the bytes still to land for running sessions and for lists planned before', () => {
    const world = { byVolume: { VOL1: requests('A', 4, 300 * MIN, 512 * MIB), VOL2: requests('B', 4, 200 * MIN, 512 * MIB) } };
    const running: RunningVolume[] = [{ volume: 'VOLX', stillToLandBytes: GIB }];
    const d = decideRetrieverCycle(small, INITIAL_RETRIEVER_STATE, view(world, { space: space(4 * 1024), running }));
    // 4 GiB free − 1 GiB to land − 1 GiB kill line = 2 GiB: all of VOL1, nothing left for VOL2.
    expect(d.sessions.map((s) => [s.volume, s.bytes])).toEqual([['VOL1', 2 * GIB]]);
    expect(d.budgetBytes).toBe(2 * GIB);
    expect(d.hold).toBe('RESERVATION');
  });

  it('never lets the planned lists reach the kill line', () => {
    const world = { byVolume: { VOL1: requests('A', 7, 300 * MIN, 300 * MIB), VOL2: requests('B', 7, 200 * MIN, 300 * MIB), VOL3: requests('C', 7, 100 * MIN, 300 * MIB) } };
    const d = decideRetrieverCycle(small, INITIAL_RETRIEVER_STATE, view(world, { space: space(5000) }));
    const planned = d.sessions.reduce((a, s) => a + s.bytes, 0);
    expect(planned).toBeLessThanOrEqual(5000 * MIB - GIB);
    expect(d.sessions.length).toBeGreaterThan(1);
  });

  it('planCutList keeps whole requests only, oldest first', () => {
    const list = [
      { id: 'N', sizeBytes: 10, sinceMs: 3, order: null },
      { id: 'O', sizeBytes: 10, sinceMs: 1, order: null },
      { id: 'M', sizeBytes: 10, sinceMs: 2, order: null },
    ];
    expect(planCutList(list, 25)).toMatchObject({ bytes: 20, cut: true });
    expect(planCutList(list, 25).requests.map((r) => r.id)).toEqual(['M', 'O']);
    expect(planCutList(list, 5).requests).toEqual([]);
    expect(planCutList(list, 30).cut).toBe(false);
  });
});

describe('issue 11: follow-on while the tape is still mounted', () => {
  const read = { succeeded: true, killedByUs: false, cut: false, mounted: true };
  const ended = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', read, T0 - 30 * MIN);
  const fresh = { byVolume: { VOL1: requests('A', 2, 1000) } };

  it('starts new requests of a volume that ended less than mountretention ago at once: no fill wait, no remount delay', () => {
    const decision = decideRetrieverCycle(settings, ended, view(fresh));
    expect(decision.sessions.map((s) => [s.volume, s.followOn, s.reason])).toEqual([['VOL1', true, 'follow-on: tape still mounted']]);
  });

  it('not once mountretention has passed, nor with mountretention 0', () => {
    expect(started(ended, fresh, { nowMs: T0 + 30 * MIN, volumes: summaries({ byVolume: { VOL1: requests('A', 2, 1000, GIB, T0 + 30 * MIN) } }) })).toEqual([]);
    expect(started(ended, fresh, {}, { ...settings, mountRetentionMs: 0 })).toEqual([]);
  });

  it('a follow-on is no mount: the remount delay still counts from the last real mount', () => {
    const planned = decideRetrieverCycle(settings, ended, view(fresh)).nextState;
    const after = recordRetrieveOutcome(planned, 'VOL1', read, T0 + 10 * MIN);
    expect(after.volumes.get('VOL1')).toMatchObject({ lastMountEndMs: T0 + 10 * MIN, lastRealMountEndMs: T0 - 30 * MIN });
    // Past the retention after the follow-on, but 105 min after the real mount: still a remount ...
    const later = T0 + 75 * MIN;
    expect(reasonsOf(after, { byVolume: { VOL1: requests('B', 1, 20 * MIN, 80 * GIB, later) } }, { nowMs: later })).toEqual([['VOL1', REMOUNT_REASON]]);
    // ... until 120 min after the real mount ended.
    const due = T0 + 90 * MIN;
    expect(reasonsOf(after, { byVolume: { VOL1: requests('B', 1, 20 * MIN, 80 * GIB, due) } }, { nowMs: due })).toEqual([['VOL1', 'list ready']]);
  });

  it('counts only as many idle tapes mounted as there are drives not running sessions (least recently used leave)', () => {
    let state = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'OLDER', read, T0 - 20 * MIN);
    state = recordRetrieveOutcome(state, 'NEWER', read, T0 - 10 * MIN);
    const world = { byVolume: { OLDER: requests('A', 1, 1000), NEWER: requests('B', 1, 1000) } };
    // 2 workers, one running elsewhere: one drive left, holding the most recently used tape.
    const decision = decideRetrieverCycle(settings, state, view(world, { running: [{ volume: 'OTHER', stillToLandBytes: 0 }] }));
    expect(decision.sessions.map((s) => s.volume)).toEqual(['NEWER']);
  });
});

describe('issue 11: nothing starves', () => {
  it('fault: a starving volume whose tape is still mounted was planned as a fresh mount, restarting its remount delay', () => {
    const realEnd = T0 - 100 * MIN;
    let state = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'VOL1', READ, realEnd);
    state = decideRetrieverCycle(settings, state, view({ byVolume: { VOL1: requests('A', 1, MIN, GIB, realEnd + MIN) } }, { nowMs: realEnd + MIN })).nextState;
    state = recordRetrieveOutcome(state, 'VOL1', READ, T0 - 10 * MIN); // a follow-on ended 10 min ago: still mounted
    const d = decideRetrieverCycle(settings, state, view({ byVolume: { VOL1: requests('B', 1, 120 * MIN) } }));
    expect(d.sessions.map((p) => [p.volume, p.followOn, p.reason])).toEqual([['VOL1', true, 'oldest request waited retriever_reqlistfillwaitmax']]);
    const after = recordRetrieveOutcome(d.nextState, 'VOL1', READ, T0 + MIN);
    expect(after.volumes.get('VOL1')?.lastRealMountEndMs).toBe(realEnd);
  });


  it('a request older than fillwaitmax gets a drive next, even within the remount delay', () => {
    const state = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'OLD', { succeeded: true, killedByUs: false, cut: false, mounted: true }, T0 - 61 * MIN);
    const world = { byVolume: { BIG: requests('B', 50, 30 * MIN, 100 * GIB), OLD: requests('A', 1, 120 * MIN) } };
    const decision = decideRetrieverCycle({ ...settings, maxWorkers: 1 }, state, view(world));
    expect(decision.sessions.map((s) => [s.volume, s.reason])).toEqual([['OLD', 'oldest request waited retriever_reqlistfillwaitmax']]);
  });

  it('otherwise the volume with the most work per mount goes first', () => {
    const world = { byVolume: { SMALL: requests('A', 1, 60 * MIN), BIG: requests('B', 50, 30 * MIN, 100 * GIB) } };
    expect(started(INITIAL_RETRIEVER_STATE, world, {}, { ...settings, maxWorkers: 1 })).toEqual(['BIG']);
    expect(started(INITIAL_RETRIEVER_STATE, world, {}, { ...settings, maxWorkers: 1, volumeOrder: 'oldest-first' })).toEqual(['SMALL']);
  });
});

describe('issue 11: bounded sessions', () => {
  const world = { byVolume: { VOL1: requests('A', 10, 60 * MIN, GIB) } };

  it.each([
    { caps: { maxSessionBytes: 3 * GIB, maxSessionFiles: 0 }, files: 3 },
    { caps: { maxSessionBytes: 0, maxSessionFiles: 4 }, files: 4 },
    { caps: { maxSessionBytes: 3 * GIB, maxSessionFiles: 2 }, files: 2 },
    { caps: { maxSessionBytes: GIB / 2, maxSessionFiles: 0 }, files: 1 },
    { caps: { maxSessionBytes: 0, maxSessionFiles: 0 }, files: 10 },
  ])('caps $caps cut the list to its first $files in tape order', ({ caps, files }) => {
    const [session] = decideRetrieverCycle({ ...settings, ...caps }, INITIAL_RETRIEVER_STATE, view(world)).sessions;
    const inTapeOrder = sortTapeOrder(world.byVolume.VOL1);
    expect(session?.requests).toEqual(inTapeOrder.slice(0, files));
    expect(session?.cut).toBe(files < 10);
  });

  it('the rest follows on at once (the tape is still mounted)', () => {
    const capped = { ...settings, maxSessionFiles: 4 };
    const first = decideRetrieverCycle(capped, INITIAL_RETRIEVER_STATE, view(world));
    const after = recordRetrieveOutcome(first.nextState, 'VOL1', { succeeded: true, killedByUs: false, cut: true, mounted: true }, T0 + 5 * MIN);
    const rest = { byVolume: { VOL1: sortTapeOrder(world.byVolume.VOL1).slice(4) } };
    expect(decideRetrieverCycle(capped, after, view(rest, { nowMs: T0 + 5 * MIN })).sessions.map((s) => [s.volume, s.requests.length, s.followOn])).toEqual([['VOL1', 4, true]]);
  });
});

describe('rankWaitingVolumes (what endit plan shows)', () => {
  const world: World = {
    byVolume: {
      FILLING: requests('F', 2, 5 * MIN),
      QUIET: requests('Q', 3, 40 * MIN),
      STARVING: requests('S', 1, 121 * MIN),
      default: requests('D', 1, MIN),
    },
  };

  it('lists every waiting volume in drive order with its wait, as the cycle decides', () => {
    const outlook = rankWaitingVolumes(settings, INITIAL_RETRIEVER_STATE, view(world));
    expect(outlook.map((o) => [o.name, o.priority, Math.round(o.waitMs / MIN), o.why])).toEqual([
      ['STARVING', 'starving', 0, ''],
      ['QUIET', 'work', 0, ''],
      // A small list also waits until its oldest is a third of fillwaitmax (40 min) old.
      ['FILLING', 'work', 35, "list under a mount's worth, waiting for more requests of its tape"],
      ['default', 'work', 0, ''],
    ]);
    const decision = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(world));
    expect(decision.sessions.map((p) => p.volume)).toEqual(['STARVING', 'QUIET']);
    expect(decision.reasons).toEqual([]);
  });

  it('shows a volume in back-off with its failures, and one recently mounted as a remount (last in line, not held)', () => {
    const failed = recordRetrieveOutcome(INITIAL_RETRIEVER_STATE, 'QUIET', { succeeded: false, killedByUs: false, cut: false, mounted: false }, T0 - 1000);
    const mounted = recordRetrieveOutcome(failed, 'FILLING', { succeeded: true, killedByUs: false, cut: false, mounted: true }, T0 - 30 * MIN);
    const outlook = rankWaitingVolumes({ ...settings, mountRetentionMs: 0 }, mounted, view({ byVolume: { QUIET: world.byVolume['QUIET'] ?? [], FILLING: requests('F', 1, 50 * MIN) } }));
    expect(Object.fromEntries(outlook.map((o) => [o.name, [o.priority, o.why]]))).toEqual({ QUIET: ['work', '1 failed session(s)'], FILLING: ['remount', ''] });
  });
});


describe('recordSessionFromHistory (endit plan replays the session history)', () => {
  it("keeps the retriever's own bookkeeping: a follow-on moves the mount end, not the remount delay's start; a session that read nothing mounts nothing", () => {
    const real = recordSessionFromHistory(INITIAL_RETRIEVER_STATE, { volume: 'V', endMs: T0 - 50 * MIN, followOn: false, delivered: true });
    const follow = recordSessionFromHistory(real, { volume: 'V', endMs: T0 - MIN, followOn: true, delivered: true });
    expect(follow.volumes.get('V')).toMatchObject({ lastMountEndMs: T0 - MIN, lastRealMountEndMs: T0 - 50 * MIN, followOn: false });
    const empty = recordSessionFromHistory(INITIAL_RETRIEVER_STATE, { volume: 'W', endMs: T0 - MIN, followOn: false, delivered: false });
    expect(empty.volumes.get('W')).toMatchObject({ lastMountEndMs: null, lastRealMountEndMs: null });
    expect(countBackoffVolumes(empty, T0, settings)).toBe(0);
  });
});
