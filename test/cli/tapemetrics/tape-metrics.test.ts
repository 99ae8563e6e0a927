import { describe, expect, it } from 'vitest';
import {
  aggregateTapeMetrics,
  avgTapeRemounts,
  buildTapeMetricsJson,
  roundToDecimalGb,
  TAPE_METRICS_WINDOW_MS,
  type TapeMetricsInput,
  type VoTapeMetrics,
} from '../../../src/cli/tapemetrics/tape-metrics.js';
import type { SessionHistoryRecord } from '../../../src/cli/tapemetrics/session-record.js';
import { sessionRecord } from './records.js';

const NOW_MS = Date.parse('2025-06-02T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const endingAt = (endMs: number, over: Partial<SessionHistoryRecord> = {}): SessionHistoryRecord => sessionRecord({ end: iso(endMs), ...over });
const HOUR_MS = 3600_000;

function share(vo: string, over: Partial<VoTapeMetrics> = {}): VoTapeMetrics {
  return { vo, readBytes: 0, writeBytes: 0, totalMounts: 0, uniqueMounts: 0, usedBytes: null, ...over };
}

interface Case {
  readonly name: string;
  readonly records: SessionHistoryRecord[];
  readonly voByHsm?: Record<string, string>;
  readonly usedBytesByHsm?: Record<string, number>;
  readonly expected: VoTapeMetrics[];
}

const CASES: Case[] = [
  {
    name: 'window edge: a session counts when its end is in (now - 24 h, now]',
    records: [
      endingAt(NOW_MS - TAPE_METRICS_WINDOW_MS, { bytes: 1, volume: 'OLD' }),
      endingAt(NOW_MS - TAPE_METRICS_WINDOW_MS + 1, { bytes: 10, volume: 'FIRST' }),
      endingAt(NOW_MS, { bytes: 100, volume: 'LAST' }),
      endingAt(NOW_MS + 1, { bytes: 1000, volume: 'FUTURE' }),
    ],
    expected: [share('pool1', { readBytes: 110, totalMounts: 2, uniqueMounts: 2 })],
  },
  {
    name: 'a session that started before the window but ended in it counts whole',
    records: [endingAt(NOW_MS - HOUR_MS, { start: iso(NOW_MS - 30 * HOUR_MS), bytes: 7 })],
    expected: [share('pool1', { readBytes: 7, totalMounts: 1, uniqueMounts: 1 })],
  },
  {
    name: 'follow-ons read bytes but are no mount; a remount of the same volume is',
    records: [
      endingAt(NOW_MS - 5 * HOUR_MS, { bytes: 100 }),
      endingAt(NOW_MS - 4 * HOUR_MS, { bytes: 50, followOn: true }),
      endingAt(NOW_MS - 3 * HOUR_MS, { bytes: 20, followOn: true }),
      endingAt(NOW_MS - 1 * HOUR_MS, { bytes: 30 }),
    ],
    expected: [share('pool1', { readBytes: 200, totalMounts: 2, uniqueMounts: 1 })],
  },
  {
    name: 'a session whose dsmc never started (pid null) mounted nothing',
    records: [endingAt(NOW_MS - HOUR_MS, { pid: null, bytes: 0, rc: null, failed: 3 })],
    expected: [share('pool1')],
  },
  {
    name: 'archiver bytes are written bytes and never mounts; deleter sessions count for nothing',
    records: [
      endingAt(NOW_MS - HOUR_MS, { daemon: 'archiver', volume: null, bytes: 5000 }),
      endingAt(NOW_MS - HOUR_MS, { daemon: 'deleter', volume: null, bytes: 0, files: 40 }),
    ],
    expected: [share('pool1', { writeBytes: 5000 })],
  },
  {
    name: 'default VO is the desc-short (the record hsm); an idle pool gets a share of zeros',
    records: [
      endingAt(NOW_MS - HOUR_MS, { hsm: 'cmspool', volume: 'C1', bytes: 3 }),
      endingAt(NOW_MS - 2 * TAPE_METRICS_WINDOW_MS, { hsm: 'lhcbpool', bytes: 9 }),
    ],
    expected: [share('cmspool', { readBytes: 3, totalMounts: 1, uniqueMounts: 1 }), share('lhcbpool')],
  },
  {
    name: 'several hosts, --vo mapping: two pools of one VO add up; one volume name on two pools is two tapes',
    records: [
      endingAt(NOW_MS - 3 * HOUR_MS, { hsm: 'atlas-a', volume: 'VOL001', bytes: 1 }),
      endingAt(NOW_MS - 2 * HOUR_MS, { hsm: 'atlas-b', volume: 'VOL001', bytes: 2 }),
      endingAt(NOW_MS - 1 * HOUR_MS, { hsm: 'atlas-a', volume: 'VOL001', bytes: 4 }),
      endingAt(NOW_MS - 1 * HOUR_MS, { hsm: 'atlas-b', daemon: 'archiver', volume: null, bytes: 8 }),
      endingAt(NOW_MS - 1 * HOUR_MS, { hsm: 'cmspool', volume: 'VOL001', bytes: 16 }),
    ],
    voByHsm: { 'atlas-a': 'atlas', 'atlas-b': 'atlas' },
    expected: [
      share('atlas', { readBytes: 7, writeBytes: 8, totalMounts: 3, uniqueMounts: 2 }),
      share('cmspool', { readBytes: 16, totalMounts: 1, uniqueMounts: 1 }),
    ],
  },
  {
    name: "usedBytes: the hint files' bytes summed per VO; a pool known only from its hint file gets a share",
    records: [endingAt(NOW_MS - HOUR_MS, { hsm: 'atlas-a', bytes: 1 })],
    voByHsm: { 'atlas-a': 'atlas', 'atlas-b': 'atlas' },
    usedBytesByHsm: { 'atlas-a': 100, 'atlas-b': 20, quiet: 5 },
    expected: [share('atlas', { readBytes: 1, totalMounts: 1, uniqueMounts: 1, usedBytes: 120 }), share('quiet', { usedBytes: 5 })],
  },
  {
    name: 'the same session read twice (a host copied twice) counts once; another session of the same volume does not',
    records: [
      endingAt(NOW_MS - HOUR_MS, { bytes: 5 }),
      endingAt(NOW_MS - HOUR_MS, { bytes: 5 }),
      endingAt(NOW_MS - HOUR_MS, { bytes: 5, pid: 4243 }),
    ],
    expected: [share('pool1', { readBytes: 10, totalMounts: 2, uniqueMounts: 1 })],
  },
  {
    name: 'a retriever record without a volume counts as volume default',
    records: [endingAt(NOW_MS - 2 * HOUR_MS, { volume: null }), endingAt(NOW_MS - HOUR_MS, { volume: 'default' })],
    expected: [share('pool1', { readBytes: 2000, totalMounts: 2, uniqueMounts: 1 })],
  },
];

describe('aggregateTapeMetrics', () => {
  it.each(CASES)('$name', ({ records, voByHsm = {}, usedBytesByHsm = {}, expected }) => {
    const input: TapeMetricsInput = { records, nowMs: NOW_MS, voByHsm: new Map(Object.entries(voByHsm)), usedBytesByHsm: new Map(Object.entries(usedBytesByHsm)) };
    expect(aggregateTapeMetrics(input)).toEqual(expected);
  });

  it('gives no share without records or hint files', () => {
    expect(aggregateTapeMetrics({ records: [], nowMs: NOW_MS, voByHsm: new Map([['a', 'b']]), usedBytesByHsm: new Map() })).toEqual([]);
  });
});

describe('avgTapeRemounts and roundToDecimalGb (the examples of WLCG TapeMetricsJSON)', () => {
  it.each([
    { total: 8, unique: 3, avg: 2.67 },
    { total: 4, unique: 4, avg: 1 },
    { total: 5, unique: 4, avg: 1.25 },
    { total: 0, unique: 0, avg: 0 },
  ])('$total mounts of $unique tapes: $avg', ({ total, unique, avg }) => {
    expect(avgTapeRemounts(total, unique)).toBe(avg);
  });

  it.each([
    { bytes: 23125065994338304, rounded: 23125066000000000 },
    { bytes: 62715387334098944, rounded: 62715387000000000 },
    { bytes: 499_999_999, rounded: 0 },
    { bytes: 500_000_000, rounded: 1e9 },
  ])('$bytes B rounds to $rounded', ({ bytes, rounded }) => {
    expect(roundToDecimalGb(bytes)).toBe(rounded);
  });
});

describe('buildTapeMetricsJson', () => {
  it('writes a storageservice with one storage share per VO, timestamps in unix seconds', () => {
    const shares = [share('atlas', { readBytes: 7, writeBytes: 8, totalMounts: 3, uniqueMounts: 2, usedBytes: 1_600_000_000 }), share('cms')];
    const json = buildTapeMetricsJson(shares, { name: 'NDGF-T1-Tape', implementationVersion: '1.2.3', nowMs: NOW_MS + 999 });
    const nowSec = NOW_MS / 1000;
    expect(json).toEqual({
      storageservice: {
        name: 'NDGF-T1-Tape',
        implementation: 'ENDIT',
        implementationversion: '1.2.3',
        latestupdate: nowSec,
        storageshares: [
          { name: 'atlas', vos: ['atlas'], timestamp: nowSec, usedsize: 2e9, occupiedsize: 2e9, readbytes24h: 7, writebytes24h: 8, totalmounts24h: 3, uniquemounts24h: 2, avgtaperemounts: 1.5 },
          { name: 'cms', vos: ['cms'], timestamp: nowSec, readbytes24h: 0, writebytes24h: 0, totalmounts24h: 0, uniquemounts24h: 0, avgtaperemounts: 0 },
        ],
      },
    });
  });
});
