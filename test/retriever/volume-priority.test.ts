import { describe, expect, it } from 'vitest';
import { MOUNT_COST_BYTES, quietWaitMs, rankVolumes, smallListWaitMs, volumeAgeMs, type VolumeCandidate } from '../../src/retriever/volume-priority.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const FILL_WAIT_MAX_MS = 120 * MIN;
const GB = 1e9;

function candidate(name: string, over: Partial<VolumeCandidate> = {}): VolumeCandidate {
  return { name, bytes: GB, oldestMs: T0 - MIN, waitingSinceMs: T0 - MIN, mounted: false, recentlyMounted: false, ...over };
}

describe('rankVolumes', () => {
  it.each([
    {
      why: 'the most work per mount first',
      volumes: [candidate('SMALL', { bytes: GB }), candidate('BIG', { bytes: 500 * GB })],
      order: ['BIG', 'SMALL'],
    },
    {
      why: 'age weighs in: an older small volume beats a young one a little bigger',
      volumes: [candidate('YOUNG', { bytes: 40 * GB, oldestMs: T0 }), candidate('OLD', { bytes: GB, oldestMs: T0 - 100 * MIN, waitingSinceMs: T0 - 100 * MIN })],
      order: ['OLD', 'YOUNG'],
    },
    {
      why: 'a tape still mounted goes before fresh mounts, however much they carry',
      volumes: [candidate('BIG', { bytes: 5000 * GB }), candidate('MOUNTED', { mounted: true })],
      order: ['MOUNTED', 'BIG'],
    },
    {
      why: 'starving (oldest request past fillwaitmax) goes first, oldest first',
      volumes: [
        candidate('MOUNTED', { mounted: true, bytes: 5000 * GB }),
        candidate('STARVING', { oldestMs: T0 - FILL_WAIT_MAX_MS }),
        candidate('OLDEST', { oldestMs: T0 - 2 * FILL_WAIT_MAX_MS }),
      ],
      order: ['OLDEST', 'STARVING', 'MOUNTED'],
    },
    {
      why: 'a remount (tape read less than remountdelay ago) goes after every fresh mount, however much it carries',
      volumes: [candidate('REMOUNT', { bytes: 5000 * GB, recentlyMounted: true }), candidate('FRESH')],
      order: ['FRESH', 'REMOUNT'],
    },
    {
      why: 'a remount whose tape is still mounted is a follow-on; a starving one goes first',
      volumes: [
        candidate('FRESH', { bytes: 5000 * GB }),
        candidate('STILL_MOUNTED', { recentlyMounted: true, mounted: true }),
        candidate('STARVING', { recentlyMounted: true, oldestMs: T0 - FILL_WAIT_MAX_MS }),
      ],
      order: ['STARVING', 'STILL_MOUNTED', 'FRESH'],
    },
    {
      why: 'ties go by name',
      volumes: [candidate('B'), candidate('A')],
      order: ['A', 'B'],
    },
  ])('$why', ({ volumes, order }) => {
    expect(rankVolumes(volumes, T0, FILL_WAIT_MAX_MS).map((r) => r.name)).toEqual(order);
  });

  it('scores (bytes + mount cost) × (1 + age / fillwaitmax)', () => {
    const [ranked] = rankVolumes([candidate('A', { bytes: 8 * GB, oldestMs: T0 - 60 * MIN, waitingSinceMs: null })], T0, FILL_WAIT_MAX_MS);
    expect(ranked).toMatchObject({ priority: 'work', ageMs: 60 * MIN, score: (8 * GB + MOUNT_COST_BYTES) * 1.5 });
  });
});

describe('volumeAgeMs with a fake clock', () => {
  it.each([
    { why: 'by mtime', over: { oldestMs: T0 - 5 * MIN, waitingSinceMs: T0 - MIN }, nowMs: T0, ageMs: 5 * MIN },
    { why: 'since first seen when mtimes lie in the future', over: { oldestMs: T0 + 60 * MIN, waitingSinceMs: T0 - 3 * MIN }, nowMs: T0, ageMs: 3 * MIN },
    { why: 'never negative when the clock jumps backwards past both', over: { oldestMs: T0, waitingSinceMs: T0 }, nowMs: T0 - 60 * MIN, ageMs: 0 },
    { why: 'unknown first sighting counts nothing', over: { oldestMs: T0 + MIN, waitingSinceMs: null }, nowMs: T0, ageMs: 0 },
  ])('$why', ({ over, nowMs, ageMs }) => {
    expect(volumeAgeMs(candidate('A', over), nowMs)).toBe(ageMs);
  });

  it('a clock jumping backwards makes no volume starve, nor ranks it first by age', () => {
    const volumes = [candidate('OLD', { oldestMs: T0 - 200 * MIN, waitingSinceMs: T0 - 200 * MIN }), candidate('BIG', { bytes: 200 * GB })];
    expect(rankVolumes(volumes, T0, FILL_WAIT_MAX_MS).map((r) => r.priority)).toEqual(['starving', 'work']);
    const back = rankVolumes(volumes, T0 - 300 * MIN, FILL_WAIT_MAX_MS);
    expect(back.map((r) => [r.name, r.priority])).toEqual([
      ['BIG', 'work'],
      ['OLD', 'work'],
    ]);
  });
});

describe('smallListWaitMs', () => {
  it.each([
    { why: 'a stray recall waits a third of fillwaitmax from its oldest request', bytes: GB, ageMs: 10 * MIN, waitMs: 30 * MIN },
    { why: 'no longer once that old', bytes: GB, ageMs: 40 * MIN, waitMs: 0 },
    { why: 'nor ever older', bytes: GB, ageMs: 500 * MIN, waitMs: 0 },
    { why: 'a list worth a mount does not wait', bytes: MOUNT_COST_BYTES, ageMs: 0, waitMs: 0 },
    { why: 'one byte less does', bytes: MOUNT_COST_BYTES - 1, ageMs: 0, waitMs: 40 * MIN },
  ])('$why', ({ bytes, ageMs, waitMs }) => {
    expect(smallListWaitMs(bytes, ageMs, FILL_WAIT_MAX_MS)).toBe(waitMs);
  });
});

describe('quietWaitMs', () => {
  it.each([
    { bytes: GB, quietMs: 10 * MIN },
    { bytes: MOUNT_COST_BYTES - 1, quietMs: 10 * MIN },
    { bytes: MOUNT_COST_BYTES, quietMs: 5 * MIN },
  ])('$bytes bytes: quiet for $quietMs ms of a 10 min fill wait', ({ bytes, quietMs }) => {
    expect(quietWaitMs(bytes, 10 * MIN)).toBe(quietMs);
  });
});
