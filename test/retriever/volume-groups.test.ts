import { describe, expect, it } from 'vitest';
import { VolumeGroups } from '../../src/retriever/volume-groups.js';
import { createRandom } from '../../src/core/prng.js';

/** VolumeGroups over slots whose first-seen times are in `since`, counting how often a time is read back (a recount). */
function groupsOver(since: number[]): { groups: VolumeGroups; reads: () => number } {
  let reads = 0;
  const groups = new VolumeGroups((slot) => {
    reads++;
    return since[slot] as number;
  });
  return { groups, reads: () => reads };
}

describe('VolumeGroups: oldest and newest first-seen times', () => {
  it('match a recount after any sequence of adds and removes, with many ties', () => {
    const random = createRandom(7);
    const since = Array.from({ length: 400 }, () => 1000 + Math.floor(random() * 6));
    const { groups } = groupsOver(since);
    const vols = [groups.intern('A'), groups.intern('B'), groups.intern('C')];
    const member = new Map<number, number>(); // slot -> group
    for (let step = 0; step < 20_000; step++) {
      const slot = Math.floor(random() * since.length);
      const group = member.get(slot);
      if (group === undefined) {
        const to = vols[Math.floor(random() * vols.length)] as number;
        groups.add(to, slot, since[slot] as number, 10, false);
        member.set(slot, to);
      } else {
        groups.remove(group, slot, since[slot] as number, 10, false);
        member.delete(slot);
      }
      if (step % 7 !== 0) continue;
      for (const summary of groups.summaries()) {
        const times = [...member].filter(([, g]) => groups.nameOf(g) === summary.name).map(([s]) => since[s] as number);
        expect([summary.oldestMs, summary.newestMs]).toEqual([Math.min(...times), Math.max(...times)]);
      }
    }
  });

  it('a request tied at the oldest time leaving and coming back (a read) sends its volume to no recount', () => {
    const since = Array.from({ length: 1000 }, (_, i) => (i === 999 ? 2000 : 1000));
    const { groups, reads } = groupsOver(since);
    const volume = groups.intern('VOL001');
    for (let slot = 0; slot < since.length; slot++) groups.add(volume, slot, since[slot] as number, 1, true);
    for (let slot = 0; slot < 500; slot++) {
      groups.remove(volume, slot, 1000, 1, true);
      groups.add(volume, slot, 1000, 1, false);
      expect(groups.summary(volume)).toMatchObject({ oldestMs: 1000, newestMs: 2000 });
    }
    expect(reads()).toBe(0);
    // The last holder of the newest time leaves: one recount, then the next newest.
    groups.remove(volume, 999, 2000, 1, true);
    expect(groups.summary(volume)).toMatchObject({ oldestMs: 1000, newestMs: 1000, files: 999, unread: 499 });
    expect(reads()).toBe(999);
  });
});
