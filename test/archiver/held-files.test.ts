import { describe, expect, it } from 'vitest';
import { HeldFiles } from '../../src/archiver/held-files.js';

const record = (name: string, sizeBytes: number) => ({ name, identity: { sizeBytes, ino: sizeBytes + 1, mtimeMs: sizeBytes + 0.5 } });

describe('HeldFiles', () => {
  it('holds each name once with its identity, counts them, and lets go', () => {
    const held = new HeldFiles();
    expect(held.hold(record('AA', 10))).toBe(true);
    expect(held.hold(record('AA', 99))).toBe(false);
    expect(held.hold(record('BB', 20))).toBe(true);
    expect([held.size, held.has('AA'), held.has('CC')]).toEqual([2, true, false]);
    expect([...held.records()]).toEqual([record('AA', 10), record('BB', 20)]);
    expect(held.release('AA')).toBe(true);
    expect(held.release('AA')).toBe(false);
    expect([...held.records()]).toEqual([record('BB', 20)]);
  });

  it('keeps thousands without mixing identities up, releasing while iterating', () => {
    const held = new HeldFiles();
    for (let i = 0; i < 5000; i++) held.hold(record(i.toString(16).toUpperCase(), i));
    for (const { name, identity } of held.records()) if (identity.sizeBytes % 2 === 0) held.release(name);
    const left = [...held.records()];
    expect(left).toHaveLength(2500);
    for (const { name, identity } of left) expect(identity).toEqual(record(name, parseInt(name, 16)).identity);
  });
});
