import { describe, expect, it } from 'vitest';
import { ABSENT, SlotStore } from '../../src/retriever/slot-store.js';

const id = (i: number): string => `0000${i.toString(16).toUpperCase().padStart(32, '0')}`;

describe('SlotStore ids (a hash table of slot numbers instead of a Map)', () => {
  it('finds every id after the table grew, forgets released ones, and reuses their slots', () => {
    const store = new SlotStore();
    const slots = Array.from({ length: 5000 }, (_, i) => store.ensure(id(i)));
    expect(new Set(slots).size).toBe(5000);
    expect(store.size).toBe(5000);
    expect(store.ensure(id(17))).toBe(slots[17]); // known: same slot
    for (let i = 0; i < 5000; i += 2) store.release(slots[i] as number);
    expect(store.size).toBe(2500);
    for (let i = 0; i < 5000; i++) {
      expect(store.slotOf(id(i))).toBe(i % 2 === 0 ? undefined : slots[i]);
    }
    const again = store.ensure('FFFF');
    expect(slots.filter((_, i) => i % 2 === 0)).toContain(again);
    expect([store.nameOf(again), store.state[again], store.slotOf('FFFF')]).toEqual(['FFFF', ABSENT, again]);
    store.release(again);
    store.release(again); // twice: no effect
    expect([store.size, store.slotOf('FFFF'), store.isUsed(again)]).toEqual([2500, undefined, false]);
  });
});
