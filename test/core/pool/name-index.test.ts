import { describe, expect, it } from 'vitest';
import { CompactNameSet, hashName, NameHashIndex } from '../../../src/core/pool/index.js';

/** A deterministic pseudo-random sequence (the test must fail the same way twice). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pnfsid = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

describe('NameHashIndex', () => {
  it('agrees with a Map through a long run of inserts and deletes (growth, shrinking, probe runs that wrap)', () => {
    const names: string[] = [];
    const index = new NameHashIndex((id) => names[id] as string);
    const model = new Map<string, number>();
    const random = lcg(42);
    for (let step = 0; step < 60_000; step++) {
      const name = pnfsid(Math.floor(random() * 5000));
      if (random() < 0.6) {
        if (model.has(name)) continue;
        const id = names.length;
        names.push(name);
        index.insert(id);
        model.set(name, id);
      } else {
        expect(index.delete(name)).toBe(model.get(name) ?? -1);
        model.delete(name);
      }
      if (step % 997 === 0) {
        expect(index.size).toBe(model.size);
        for (const [n, id] of model) expect(index.find(n)).toBe(id);
      }
    }
    for (let n = 0; n < 5000; n++) expect(index.find(pnfsid(n))).toBe(model.get(pnfsid(n)) ?? -1);
    for (const n of [...model.keys()]) expect(index.delete(n)).toBeGreaterThanOrEqual(0);
    expect(index.size).toBe(0);
    expect(index.find(pnfsid(1))).toBe(-1);
  });

  it('finds names whose hashes collide in the table, and deletes from the middle of their run', () => {
    const names: string[] = [];
    const index = new NameHashIndex((id) => names[id] as string);
    // Names landing in the same bucket of the smallest table.
    const home = hashName(pnfsid(0)) & 1023;
    for (let n = 0; names.length < 6; n++) if ((hashName(pnfsid(n)) & 1023) === home) names.push(pnfsid(n));
    names.forEach((_, id) => index.insert(id));
    expect(index.delete(names[2] as string)).toBe(2);
    for (const [id, name] of names.entries()) expect(index.find(name)).toBe(id === 2 ? -1 : id);
  });

  it('rebuild indexes the present ids at once', () => {
    const names = Array.from({ length: 3000 }, (_, n) => pnfsid(n));
    const index = new NameHashIndex((id) => names[id] as string);
    index.rebuild(names.length, (id) => id % 3 !== 0);
    expect(index.size).toBe(2000);
    expect(index.find(pnfsid(3))).toBe(-1);
    expect(index.find(pnfsid(4))).toBe(4);
    index.insert(3);
    expect(index.find(pnfsid(3))).toBe(3);
  });
});

describe('CompactNameSet', () => {
  it('behaves as a Set of strings, and empties completely', () => {
    const set = new CompactNameSet();
    const model = new Set<string>();
    const random = lcg(7);
    for (let step = 0; step < 20_000; step++) {
      const name = pnfsid(Math.floor(random() * 3000));
      if (random() < 0.5) {
        set.add(name);
        model.add(name);
      } else {
        expect(set.delete(name)).toBe(model.delete(name));
      }
      expect(set.size).toBe(model.size);
    }
    expect(new Set(set)).toEqual(model);
    for (const name of model) expect(set.has(name)).toBe(true);
    expect(set.has('not a member')).toBe(false);
    for (const name of model) set.delete(name);
    expect(set.size).toBe(0);
    expect([...set]).toEqual([]);
    set.add(pnfsid(1));
    set.add(pnfsid(1));
    expect([...set]).toEqual([pnfsid(1)]);
  });
});

describe('CompactNameSet reserve and clear (issue 15: a million names at a session start and end)', () => {
  it('reserved room changes nothing a caller sees: ids, look-ups, iteration, freed ids reused', () => {
    const set = new CompactNameSet();
    set.reserve(5000);
    for (let i = 0; i < 3000; i++) expect(set.add(pnfsid(i))).toBe(i);
    expect([...set]).toHaveLength(3000);
    set.delete(pnfsid(7));
    set.reserve(2000);
    expect(set.add(pnfsid(9000))).toBe(7);
    expect(set.add(pnfsid(9001))).toBe(3000);
    expect(set.size).toBe(3001);
    expect(set.has(pnfsid(7))).toBe(false);
    expect(set.idOf(pnfsid(2999))).toBe(2999);
    expect(new Set(set)).toEqual(new Set([...Array.from({ length: 3000 }, (_, i) => pnfsid(i)).filter((n) => n !== pnfsid(7)), pnfsid(9000), pnfsid(9001)]));
  });

  it('clear empties the set at once; it fills again from id 0', () => {
    const set = new CompactNameSet();
    for (let i = 0; i < 2000; i++) set.add(pnfsid(i));
    for (let i = 0; i < 1000; i++) set.delete(pnfsid(i));
    set.clear();
    expect(set.size).toBe(0);
    expect([...set]).toEqual([]);
    expect(set.has(pnfsid(1500))).toBe(false);
    expect(set.add(pnfsid(1))).toBe(0);
    expect(set.add(pnfsid(2))).toBe(1);
  });
});

describe('CompactNameSet ids', () => {
  it('gives each name an id while it is in the set, the same on a second add, and reuses freed ids', () => {
    const set = new CompactNameSet();
    const a = set.add('AA');
    const b = set.add('BB');
    expect(a).not.toBe(b);
    expect(set.add('AA')).toBe(a);
    expect(set.idOf('BB')).toBe(b);
    expect(set.idOf('CC')).toBe(-1);
    set.delete('AA');
    expect(set.idOf('AA')).toBe(-1);
    expect(set.add('CC')).toBe(a);
  });
});
