import { describe, expect, it } from 'vitest';
import { decideRetrieverCycle, INITIAL_RETRIEVER_STATE, type RequestInfo, type RetrieverView } from '../../src/retriever/policy.js';
import type { RetrieverSettings } from '../../src/retriever/settings.js';
import { decideTooLarge, NO_TOO_LARGE, TOO_LARGE_LOG_INTERVAL_MS, type TooLargeRequest, type TooLargeState } from '../../src/retriever/too-large.js';
import { GIB } from '../../src/core/units.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = TOO_LARGE_LOG_INTERVAL_MS;

const settings: RetrieverSettings = {
  maxWorkers: 2,
  remountDelayMs: 120 * MIN,
  fillWaitMs: 10 * MIN,
  fillWaitMaxMs: 120 * MIN,
  bufferBytes: 10 * GIB,
  backlogPercent: 10,
  killPercent: 95,
  sleepMs: MIN,
  backoffMaxMs: 60 * MIN,
  mountRetentionMs: 60 * MIN,
  maxSessionBytes: 0,
  maxSessionFiles: 0,
  volumeOrder: 'work-per-mount',
};

/** 100 GiB filesystem, all free: kill line max(1 GiB, 10 GiB·5%) = 1 GiB, so a list can never hold more than 99 GiB. */
const space = { freeBytes: 100 * GIB, totalBytes: 100 * GIB };
const NEVER_FITS = 99 * GIB + 1;

const request = (id: string, sizeBytes: number, ageMin: number): RequestInfo => ({ id, sizeBytes, sinceMs: T0 - ageMin * MIN, order: null });

function viewOf(byVolume: Record<string, RequestInfo[]>, over: Partial<RetrieverView> = {}): RetrieverView {
  return {
    nowMs: T0,
    skipDelays: false,
    volumes: Object.entries(byVolume).map(([name, list]) => ({
      name,
      files: list.length,
      bytes: list.reduce((a, r) => a + r.sizeBytes, 0),
      oldestMs: Math.min(...list.map((r) => r.sinceMs)),
      newestMs: Math.max(...list.map((r) => r.sinceMs)),
      unread: 0,
    })),
    requestsOf: (volume) => byVolume[volume] ?? [],
    running: [],
    space,
    ...over,
  };
}

describe('fault 8: a recall that can never fit in/ does not hold the others back', () => {
  it.each([
    {
      what: 'the oldest request of the default volume (no hint file) is larger than the filesystem',
      byVolume: { default: [request('BIG', 200 * GIB, 300), request('A1', GIB, 200), request('A2', GIB, 100)] },
      sessions: [['default', ['A1', 'A2']]],
      tooLarge: ['BIG'],
      hold: null,
    },
    {
      what: 'just above the filesystem minus the kill line',
      byVolume: { default: [request('BIG', NEVER_FITS, 300), request('A1', GIB, 200)] },
      sessions: [['default', ['A1']]],
      tooLarge: ['BIG'],
      hold: null,
    },
    {
      what: 'exactly the filesystem minus the kill line still fits some day: it waits, as before',
      byVolume: { default: [request('FULL', 99 * GIB, 300), request('A1', GIB, 200)] },
      sessions: [['default', ['FULL']]],
      tooLarge: [],
      hold: null,
    },
    {
      what: 'a volume holding nothing but a too-large request starts nothing and holds nothing',
      byVolume: { VOL1: [request('BIG', 500 * GIB, 300)], VOL2: [request('B1', GIB, 200)] },
      sessions: [['VOL2', ['B1']]],
      tooLarge: ['BIG'],
      hold: null,
    },
  ])('$what', ({ byVolume, sessions, tooLarge, hold }) => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, viewOf(byVolume));
    expect(d.sessions.map((s) => [s.volume, s.requests.map((r) => r.id).sort()])).toEqual(sessions);
    expect(d.tooLarge.map((r) => r.id)).toEqual(tooLarge);
    expect(d.hold).toBe(hold);
  });

  it('a request that fits the filesystem but not the space left now still holds its volume (space reservation, as before)', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, viewOf({ default: [request('MID', 50 * GIB, 300), request('A1', GIB, 200)] }, { space: { freeBytes: 20 * GIB, totalBytes: 100 * GIB } }));
    expect(d.sessions).toEqual([]);
    expect(d.hold).toBe('RESERVATION');
    expect(d.tooLarge).toEqual([]);
  });

  it('only volumes whose requests were looked at report what they hold (a volume in its fill wait is not examined)', () => {
    const d = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, viewOf({ VOL1: [request('BIG', 500 * GIB, 1)], default: [request('A1', GIB, 200)] }));
    expect(d.examined).toEqual(['default']);
    expect(d.tooLarge).toEqual([]);
  });
});

describe('fault 8: naming too-large requests once an hour (fake clock)', () => {
  const big = (id: string, volume = 'default'): TooLargeRequest => ({ id, volume, sizeBytes: 500 * GIB });
  const step = (previous: TooLargeState, nowMs: number, found: TooLargeRequest[], examined = ['default'], waiting = ['default']) =>
    decideTooLarge(previous, { nowMs, found, examined: new Set(examined), waiting: new Set(waiting) });

  it.each([
    { what: 'first seen', lastLoggedMs: null, nowMs: T0, logs: true },
    { what: 'a minute later', lastLoggedMs: T0, nowMs: T0 + MIN, logs: false },
    { what: '59 minutes later', lastLoggedMs: T0, nowMs: T0 + HOUR - 1, logs: false },
    { what: 'an hour later', lastLoggedMs: T0, nowMs: T0 + HOUR, logs: true },
    { what: 'the clock set back a day', lastLoggedMs: T0, nowMs: T0 - 24 * HOUR, logs: false },
  ])('$what: logged=$logs', ({ lastLoggedMs, nowMs, logs }) => {
    const previous = lastLoggedMs === null ? NO_TOO_LARGE : step(NO_TOO_LARGE, lastLoggedMs, [big('BIG')]).next;
    const d = step(previous, nowMs, [big('BIG')]);
    expect(d.toLog.map((r) => r.id)).toEqual(logs ? ['BIG'] : []);
    expect(d.next.size).toBe(1);
  });

  it('after the clock went back, the next line comes an hour after the new now, not a day later', () => {
    const first = step(NO_TOO_LARGE, T0, [big('BIG')]).next;
    const back = step(first, T0 - 24 * HOUR, [big('BIG')]).next;
    expect(step(back, T0 - 24 * HOUR + HOUR - 1, [big('BIG')]).toLog).toEqual([]);
    expect(step(back, T0 - 24 * HOUR + HOUR, [big('BIG')]).toLog.map((r) => r.id)).toEqual(['BIG']);
  });

  it.each([
    { what: 'its volume waits but was not looked at (fill wait, no slot)', examined: [], waiting: ['default'], kept: true },
    { what: 'its volume was looked at and it was not found again (dCache cancelled it)', examined: ['default'], waiting: ['default'], kept: false },
    { what: 'its volume has no pending request any more', examined: [], waiting: [], kept: false },
  ])('counts it while $what: $kept', ({ examined, waiting, kept }) => {
    const known = step(NO_TOO_LARGE, T0, [big('BIG')]).next;
    expect(step(known, T0 + MIN, [], examined, waiting).next.size).toBe(kept ? 1 : 0);
  });
});
