import { describe, expect, it } from 'vitest';
import { PackedIdTable } from '../../../src/core/pool/index.js';
import { packId } from '../../../src/core/pool/packed-id-table.js';

const chimera = (i: number): string => `0000${i.toString(16).toUpperCase().padStart(32, '0')}`;

describe('packId (a pnfsid as a header and nibbles)', () => {
  it.each([
    { id: '0', header: 1, bytes: [0x00] },
    { id: 'A', header: 1, bytes: [0xa0] },
    { id: 'a', header: 0x41, bytes: [0xa0] },
    { id: '09AF', header: 4, bytes: [0x09, 0xaf] },
    { id: '09af', header: 0x44, bytes: [0x09, 0xaf] },
    { id: '123', header: 3, bytes: [0x12, 0x30] },
    { id: 'F'.repeat(36), header: 36, bytes: Array(18).fill(0xff) },
    { id: 'a1b', header: 0x43, bytes: [0xa1, 0xb0] },
    { id: '0123456789', header: 10, bytes: [0x01, 0x23, 0x45, 0x67, 0x89] },
    { id: '0000004C9A19B5FA480398AED8A6CD61107D', header: 36, bytes: [0x00, 0x00, 0x00, 0x4c, 0x9a, 0x19, 0xb5, 0xfa, 0x48, 0x03, 0x98, 0xae, 0xd8, 0xa6, 0xcd, 0x61, 0x10, 0x7d] },
  ])('$id', ({ id, header, bytes }) => {
    const out = new Uint8Array(19);
    expect(packId(id, out)).toBe(header);
    expect([...out.subarray(1, 1 + bytes.length)]).toEqual(bytes);
  });

  it.each(['', 'F'.repeat(37), 'aB', '0g', 'req-1', 'é', 'AB!', 'ABC!', 'A\u0141', '\u0130', 'a0B', '0A0a', ' 1', '1 '])('%j stays a string', (id) => {
    expect(packId(id, new Uint8Array(19))).toBe(0x80);
  });
});

describe('PackedIdTable', () => {
  it.each([
    { what: 'Chimera ids (36 digits, upper case)', idOf: chimera },
    { what: 'PNFS ids (24 digits)', idOf: (i: number) => i.toString(16).toUpperCase().padStart(24, '0') },
    { what: 'lower-case ids', idOf: (i: number) => chimera(i).toLowerCase() },
    { what: 'odd lengths', idOf: (i: number) => i.toString(16).toUpperCase() },
    { what: 'ids kept as strings (mixed case, not hex, too long)', idOf: (i: number) => [`aB${i}`, `req-${i}`, `${chimera(i)}0`][i % 3] as string },
  ])('$what: insert, look up, name, remove and grow', ({ idOf }) => {
    const table = new PackedIdTable();
    const n = 5000; // grows the records and the index several times
    for (let i = 0; i < n; i++) table.insert(i, idOf(i));
    expect(table.size).toBe(n);
    for (let i = 0; i < n; i++) expect([table.find(idOf(i)), table.nameOf(i), table.has(i)]).toEqual([i, idOf(i), true]);
    for (let i = 0; i < n; i += 2) table.remove(i);
    expect(table.size).toBe(n / 2);
    for (let i = 0; i < n; i++) expect([table.find(idOf(i)), table.nameOf(i), table.has(i)]).toEqual(i % 2 === 0 ? [-1, undefined, false] : [i, idOf(i), true]);
    for (let i = 0; i < n; i += 2) table.insert(i, idOf(i)); // slots reused
    for (let i = 0; i < n; i++) expect(table.find(idOf(i))).toBe(i);
  });

  it('tells ids apart that pack alike but for case or length', () => {
    const table = new PackedIdTable();
    const ids = ['ABC', 'abc', 'ABC0', 'aBc', '0ABC', 'AB'];
    ids.forEach((id, slot) => table.insert(slot, id));
    ids.forEach((id, slot) => expect([table.find(id), table.nameOf(slot)]).toEqual([slot, id]));
    expect(table.find('ABc0')).toBe(-1);
  });

  it('keeps finding ids after removals in the middle of collision runs (backward shift), and shrinks', () => {
    const table = new PackedIdTable();
    const n = 20_000;
    for (let i = 0; i < n; i++) table.insert(i, chimera(i));
    // Remove all but every 97th id: many runs lose members before, inside and after others, and the table halves several times.
    for (let i = 0; i < n; i++) if (i % 97 !== 0) table.remove(i);
    for (let i = 0; i < n; i++) expect(table.find(chimera(i))).toBe(i % 97 === 0 ? i : -1);
    expect(table.size).toBe(Math.ceil(n / 97));
    table.remove(1); // free already: no effect
    table.remove(10 ** 7); // never used: no effect
    expect(table.size).toBe(Math.ceil(n / 97));
  });
});

describe('PackedIdTable: an insert after a find that missed reuses its probe only for that id', () => {
  const A = chimera(1);
  const B = chimera(2);
  type Step = { op: 'find' | 'found' | 'insert' | 'remove' | 'reserve'; id?: string; slot?: number };
  it.each<{ what: string; steps: Step[] }>([
    { what: 'find A, insert A', steps: [{ op: 'find', id: A }, { op: 'insert', id: A, slot: 0 }] },
    { what: 'find A, find B, insert A (B probed last)', steps: [{ op: 'find', id: A }, { op: 'find', id: B }, { op: 'insert', id: A, slot: 0 }, { op: 'insert', id: B, slot: 1 }] },
    { what: 'find A, find an id present (packed over A), insert A', steps: [{ op: 'find', id: A }, { op: 'found', id: chimera(10), slot: 10 }, { op: 'insert', id: A, slot: 0 }] },
    { what: 'find A, insert B, insert A (the bucket A found empty is B now)', steps: [{ op: 'find', id: A }, { op: 'insert', id: B, slot: 1 }, { op: 'insert', id: A, slot: 0 }] },
    { what: 'find A, remove, insert A', steps: [{ op: 'insert', id: B, slot: 1 }, { op: 'find', id: A }, { op: 'remove', slot: 1 }, { op: 'insert', id: A, slot: 0 }] },
    { what: 'find A, reserve (new table), insert A', steps: [{ op: 'find', id: A }, { op: 'reserve', slot: 5000 }, { op: 'insert', id: A, slot: 0 }] },
    { what: 'a string id: find, insert', steps: [{ op: 'find', id: 'req-1' }, { op: 'insert', id: 'req-1', slot: 3 }] },
  ])('$what', ({ steps }) => {
    const table = new PackedIdTable();
    // Ids that land in the same runs as A and B, so that a wrong bucket would show.
    for (let i = 10; i < 600; i++) table.insert(i, chimera(i));
    const expected = new Map<string, number>();
    for (const { op, id, slot } of steps) {
      if (op === 'find') expect(table.find(id as string)).toBe(-1);
      else if (op === 'found') expect(table.find(id as string)).toBe(slot);
      else if (op === 'insert') {
        table.insert(slot as number, id as string);
        expected.set(id as string, slot as number);
      } else if (op === 'remove') {
        const name = table.nameOf(slot as number) as string;
        table.remove(slot as number);
        expected.delete(name);
      } else table.reserve(slot as number);
    }
    for (let i = 10; i < 600; i++) expect(table.find(chimera(i))).toBe(i);
    for (const [id, slot] of expected) expect([table.find(id), table.nameOf(slot)]).toEqual([slot, id]);
    expect(table.size).toBe(590 + expected.size);
  });
});

describe('PackedIdTable.reserve', () => {
  it.each([
    { what: 'empty table', before: 0, reserve: 100_000 },
    { what: 'ids in it already', before: 3000, reserve: 50_000 },
    { what: 'less than it holds (no effect)', before: 3000, reserve: 10 },
  ])('$what: every id found before and after, inserts up to the reservation', ({ before, reserve }) => {
    const table = new PackedIdTable();
    for (let i = 0; i < before; i++) table.insert(i, chimera(i));
    table.reserve(reserve);
    const n = Math.max(before, reserve);
    for (let i = before; i < n; i++) {
      expect(table.find(chimera(i))).toBe(-1);
      table.insert(i, chimera(i));
    }
    for (let i = 0; i < n; i++) expect(table.find(chimera(i))).toBe(i);
    expect(table.size).toBe(n);
  });
});
