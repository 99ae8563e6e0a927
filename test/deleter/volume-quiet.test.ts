import { describe, expect, it } from 'vitest';
import { earliestReleaseMs, selectVolumeQuietIds, volumeReleaseAtMs, type VolumeQuietInput } from '../../src/deleter/volume-quiet.js';

const NOW = 1_700_000_000_000;
const QUIET = 3_600_000;

/** Hints: volume V1 holds a1..a4, V2 holds b1..b2; x1 has no hint. */
const VOLUME: Record<string, string> = { a1: 'V1', a2: 'V1', a3: 'V1', a4: 'V1', b1: 'V2', b2: 'V2' };
const ON_VOLUME: Record<string, number> = { V1: 4, V2: 2 };

function select(ids: string[], lastDeletion: Record<string, number>, over: Partial<VolumeQuietInput> = {}) {
  return selectVolumeQuietIds({
    ids,
    volumeOf: (id) => VOLUME[id],
    hintedOnVolume: (v) => ON_VOLUME[v] ?? 0,
    lastDeletionMs: new Map(Object.entries(lastDeletion)),
    nowMs: NOW,
    quietMs: QUIET,
    ...over,
  });
}

describe('selectVolumeQuietIds', () => {
  it.each([
    // name, queued ids, last deletion per volume (ms before now), sent, held
    ['a volume still receiving deletions is held', ['a1', 'a2'], { V1: 10_000 }, [], ['a1', 'a2']],
    ['a volume quiet for deleter_volumequiet is sent', ['a1', 'a2'], { V1: QUIET }, ['a1', 'a2'], []],
    ['a volume whose every hinted file is queued is sent at once', ['a1', 'a2', 'a3', 'a4'], { V1: 0 }, ['a1', 'a2', 'a3', 'a4'], []],
    ['ids without a hint are sent as usual', ['x1', 'a1'], { V1: 0 }, ['x1'], ['a1']],
    ['volumes are decided each on its own', ['a1', 'b1', 'b2'], { V1: 5, V2: 5 }, ['b1', 'b2'], ['a1']],
    ['a volume with no record of its last deletion counts as quiet', ['a1'], {}, ['a1'], []],
  ])('%s', (_name, ids, agoMs, send, held) => {
    const last = Object.fromEntries(Object.entries(agoMs).map(([v, ago]) => [v, NOW - ago]));
    const selection = select(ids, last);
    expect(selection.send).toEqual(send);
    expect(selection.held).toEqual(held);
  });

  it('says why volumes go and when held ones will', () => {
    const selection = select(['a1', 'b1', 'b2', 'x1'], { V1: NOW - 1000, V2: NOW - 5000 });
    expect(selection.releasedVolumes).toEqual(new Map([['V2', 'covered']]));
    expect(selection.heldVolumes).toEqual(new Map([['V1', { ids: 1, releaseAtMs: NOW - 1000 + QUIET, missing: 3 }]]));
    expect(selection.unhinted).toBe(1);
    expect(earliestReleaseMs(selection.heldVolumes)).toBe(NOW - 1000 + QUIET);
    const quiet = select(['a1'], { V1: NOW - QUIET });
    expect(quiet.releasedVolumes).toEqual(new Map([['V1', 'quiet']]));
  });

  it('off (deleter_volumequiet 0): everything is sent', () => {
    const selection = select(['a1', 'b1', 'x1'], { V1: NOW, V2: NOW }, { quietMs: 0 });
    expect(selection.send).toEqual(['a1', 'b1', 'x1']);
    expect(selection.held).toEqual([]);
  });

  it('a last deletion in the future (clock went back) counts from now', () => {
    expect(volumeReleaseAtMs(NOW + 86_400_000, NOW, QUIET)).toBe(NOW + QUIET);
    expect(select(['a1'], { V1: NOW + 86_400_000 }).heldVolumes.get('V1')?.releaseAtMs).toBe(NOW + QUIET);
  });

  it('earliestReleaseMs with nothing held is Infinity', () => {
    expect(earliestReleaseMs(new Map())).toBe(Infinity);
  });
});
