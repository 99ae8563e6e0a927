import { describe, expect, it } from 'vitest';
import { estimateDriveTime } from '../../src/tape-model/drive-estimate.js';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';
import { ROUND_SPEC } from './round-spec.js';

const GB = 1e9;

describe('estimateDriveTime (endit plan)', () => {
  it.each([
    // One 10 GB file: mount 30 s; it lies mid-tape after a 495 GB gap (5 + 49.5 s locate); 10 s read; head at 505 GB: rewind 100.5 s + unload 30 s.
    { sizes: [10 * GB], mounted: false, expected: { mountSec: 30, locateSec: 54.5, transferSec: 10, unmountSec: 130.5, totalSec: 225 } },
    // The tape already in a drive: no mount.
    { sizes: [10 * GB], mounted: true, expected: { mountSec: 0, locateSec: 54.5, transferSec: 10, unmountSec: 130.5, totalSec: 195 } },
    // Three 100 GB files, gaps of 175 GB: first locate 5 + 17.5 s, then 175 GB skips at 5 + 17.5 s each (not read through: 175 s).
    { sizes: [100 * GB, 100 * GB, 100 * GB], mounted: false, expected: { mountSec: 30, locateSec: 67.5, transferSec: 300, unmountSec: 162.5, totalSec: 560 } },
    { sizes: [], mounted: false, expected: { mountSec: 0, locateSec: 0, transferSec: 0, unmountSec: 0, totalSec: 0 } },
  ])('$sizes.length file(s), mounted $mounted', ({ sizes, mounted, expected }) => {
    const estimate = estimateDriveTime(ROUND_SPEC, sizes, mounted);
    for (const [key, value] of Object.entries(expected)) expect(estimate[key as keyof typeof estimate], key).toBeCloseTo(value, 6);
  });

  it('on LTO-9, one small file costs the issue\'s mount cycle: 29 s mount, 45 s average first locate', () => {
    const estimate = estimateDriveTime(LTO9_LIBRARY, [1e6], false);
    expect(estimate.mountSec).toBe(29);
    expect(estimate.locateSec).toBeCloseTo(45, 3);
    expect(estimate.unmountSec).toBeCloseTo(110 + 30, 1);
  });

  it('many small files on one tape cost far less locate each than the first', () => {
    const estimate = estimateDriveTime(LTO9_LIBRARY, Array.from({ length: 1000 }, () => 1e9), false);
    expect(estimate.locateSec / 1000).toBeLessThan(6);
    expect(estimate.transferSec).toBeCloseTo(2500, 6);
  });

  it('files larger than the tape together still give a finite estimate', () => {
    const estimate = estimateDriveTime(ROUND_SPEC, [800 * GB, 800 * GB], false);
    expect(Number.isFinite(estimate.totalSec)).toBe(true);
    expect(estimate.transferSec).toBeCloseTo(1600, 6);
  });
});
