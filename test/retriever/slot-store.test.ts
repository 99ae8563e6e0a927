import { describe, expect, it } from 'vitest';
import { ABSENT, SlotStore } from '../../src/retriever/slot-store.js';
import { NOT_PACKABLE, PACKED_ID_BYTES, packIdRecord } from '../../src/core/pool/index.js';

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

describe('SlotStore.ensure hands out empty slots, fresh or reused', () => {
  const empty = { mtimeMs: 0, sinceMs: 0, statSize: 0, fileSize: -1, pid: 0, state: ABSENT, group: -1, seenGen: 0 };
  const columnsOf = (store: SlotStore, slot: number): typeof empty => ({
    mtimeMs: store.mtimeMs[slot] as number,
    sinceMs: store.sinceMs[slot] as number,
    statSize: store.statSize[slot] as number,
    fileSize: store.fileSize[slot] as number,
    pid: store.pid[slot] as number,
    state: store.state[slot] as typeof ABSENT,
    group: store.group[slot] as number,
    seenGen: store.seenGen[slot] as number,
  });
  it.each([
    { what: 'first slot', before: 0, reuse: false },
    { what: 'a slot past a growth of the columns', before: 1024, reuse: false },
    { what: 'after a reservation', before: 0, reserve: 5000, reuse: false },
    { what: 'a released slot whose columns were written', before: 10, reuse: true },
  ])('$what', ({ before, reserve, reuse }) => {
    const store = new SlotStore();
    if (reserve !== undefined) store.reserve(reserve);
    for (let i = 0; i < before; i++) {
      const slot = store.ensure(id(i));
      store.mtimeMs[slot] = 1;
      store.sinceMs[slot] = 2;
      store.statSize[slot] = 3;
      store.fileSize[slot] = 4;
      store.pid[slot] = 5;
      store.state[slot] = 2;
      store.group[slot] = 6;
      store.seenGen[slot] = 7;
    }
    if (reuse) store.release(3);
    const slot = store.ensure('ABCDEF');
    expect(slot).toBe(reuse ? 3 : before);
    expect(columnsOf(store, slot)).toEqual(empty);
  });
});

describe('SlotStore.ensurePacked (the hint reader packs ids from its bytes)', () => {
  /** ensurePacked of the id in `text[at, at + length)`, or ensure of its string when it cannot be packed (as HintBatch does). */
  function ensureFromBytes(store: SlotStore, text: Buffer, at: number, length: number): number {
    const key = new Uint8Array(PACKED_ID_BYTES + 3);
    const hash = packIdRecord(text, at, at + length, key, 3);
    return hash === NOT_PACKABLE ? store.ensure(text.toString('latin1', at, at + length)) : store.ensurePacked(key, 3, hash);
  }

  it('gives the slot ensure() gives for the same id, and finds ids either made', () => {
    const ids = [id(1), id(2), 'abc', 'ABC', 'aBc', 'F'.repeat(36), 'F'.repeat(37), 'e'.repeat(64), '0', id(0xabc), id(0xabc).toLowerCase(), '123'];
    const text = Buffer.from(`xx${ids.join('|')}|`, 'latin1');
    const offsets = ids.map((_, i) => 2 + ids.slice(0, i).reduce((sum, name) => sum + name.length + 1, 0));
    const store = new SlotStore();
    const byBytes = ids.map((name, i) => ensureFromBytes(store, text, offsets[i] as number, name.length));
    expect(new Set(byBytes).size).toBe(ids.length);
    expect(ids.map((name) => store.ensure(name))).toEqual(byBytes);
    expect(byBytes.map((slot) => store.nameOf(slot))).toEqual(ids);
    const other = new SlotStore();
    const byString = ids.map((name) => other.ensure(name));
    expect(ids.map((name, i) => ensureFromBytes(other, text, offsets[i] as number, name.length))).toEqual(byString);
    expect(other.size).toBe(ids.length);
    expect(packIdRecord(text, offsets[4] as number, (offsets[4] as number) + 3, new Uint8Array(PACKED_ID_BYTES), 0)).toBe(NOT_PACKABLE); // aBc
  });
});
