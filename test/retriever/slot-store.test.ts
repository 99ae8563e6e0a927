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

describe('SlotStore.reserve (room for a hint file at once)', () => {
  it.each([
    { what: 'empty store', before: 0, reserve: 5000, capacity: 8192 },
    { what: 'a power of two', before: 0, reserve: 4096, capacity: 4096 },
    { what: 'ids in it already', before: 1500, reserve: 3000, capacity: 4096 },
    { what: 'less than it holds (no effect)', before: 1500, reserve: 100, capacity: 2048 },
  ])('$what', ({ before, reserve, capacity }) => {
    const store = new SlotStore();
    for (let i = 0; i < before; i++) store.ensure(id(i));
    store.reserve(reserve);
    expect(store.slotCapacity).toBe(capacity);
    expect([store.mtimeMs.length, store.state.length, store.group.length, store.seenGen.length]).toEqual([capacity, capacity, capacity, capacity]);
    for (let i = 0; i < capacity; i++) expect(store.ensure(id(i))).toBe(i);
    expect(store.slotCapacity).toBe(capacity); // no growth up to the reservation
    expect([store.size, store.state[capacity - 1], store.group[capacity - 1], store.fileSize[capacity - 1]]).toEqual([capacity, ABSENT, -1, -1]);
  });
});
