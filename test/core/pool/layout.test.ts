import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirIndex, isPnfsid, isSettledStamp, PoolLayoutError, preparePool, readPnfsids, scanPoolDir } from '../../../src/core/pool/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-pool-'));
  dirs.push(d);
  return d;
}

describe('pnfsid names', () => {
  it.each([
    ['0000A1B2C3D4E5F60718293A4B5C6D7E8F90', true],
    ['abc123', true],
    ['0000A1B2.err', false],
    ['.hidden', false],
    ['../etc', false],
    ['', false],
    ['00G1', false],
  ])('%s → %s', (name, ok) => {
    expect(isPnfsid(name)).toBe(ok);
  });
});

describe('preparePool', () => {
  it('creates the subdirectories', () => {
    const dir = tempDir();
    const layout = preparePool(dir);
    for (const sub of [layout.in, layout.out, layout.request, layout.requestlists, layout.trash, layout.queue]) expect(fs.statSync(sub).isDirectory()).toBe(true);
  });

  it('refuses a subdirectory that is a file, and a missing dir', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'out'), '');
    expect(() => preparePool(dir)).toThrow(/out: exists but is not a directory/);
    expect(() => preparePool(path.join(dir, 'nope'))).toThrow(PoolLayoutError);
  });
});

describe('scanning', () => {
  it('lists only hexadecimal regular files, with size and mtime; the index stats new names only', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'AA'), 'xyz');
    fs.writeFileSync(path.join(dir, 'AA.err'), '');
    fs.writeFileSync(path.join(dir, '.tmp'), '');
    fs.mkdirSync(path.join(dir, 'BB'));
    const files = await scanPoolDir(dir);
    expect(files.map((f) => [f.name, f.sizeBytes])).toEqual([['AA', 3]]);
    const index = new DirIndex(dir);
    expect((await index.refresh()).map((f) => f.name)).toEqual(['AA']);
    fs.appendFileSync(path.join(dir, 'AA'), 'more'); // unchanged hard links are assumed; size is kept
    fs.writeFileSync(path.join(dir, 'CC'), '1');
    const again = await index.refresh();
    expect(again.map((f) => [f.name, f.sizeBytes]).sort()).toEqual([['AA', 3], ['CC', 1]]);
    fs.rmSync(path.join(dir, 'AA'));
    expect((await index.refresh()).map((f) => f.name)).toEqual(['CC']);
  });
});

describe('DirIndex.update', () => {
  it('reports files added and removed, keeps the byte total, and lists an unchanged directory only when forced', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'AA'), 'xyz');
    fs.writeFileSync(path.join(dir, 'BB'), '1');
    // A clock well past the directory's mtime: its stamp counts as settled.
    let now = Date.now() + 10_000;
    const index = new DirIndex(dir, { nowMs: () => now });
    const first = await index.update();
    expect(first.listed).toBe(true);
    expect(first.added.map((f) => f.name).sort()).toEqual(['AA', 'BB']);
    expect(index.totalBytes).toBe(4);
    const unchanged = await index.update();
    expect([unchanged.listed, unchanged.added.length, unchanged.removed.length]).toEqual([false, 0, 0]);
    expect((await index.update({ force: true })).listed).toBe(true);
    fs.rmSync(path.join(dir, 'AA'));
    fs.writeFileSync(path.join(dir, 'CC'), '22');
    now = Date.now() + 20_000;
    const second = await index.update();
    expect(second.listed).toBe(true);
    expect(second.added.map((f) => f.name)).toEqual(['CC']);
    expect(second.removed.map((f) => f.name)).toEqual(['AA']);
    expect(index.totalBytes).toBe(3);
  });

  it('lists again when the directory changed too recently for its mtime to be trusted', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'AA'), '');
    const index = new DirIndex(dir);
    await index.update();
    // Within the same mtime tick a new file may not change the directory's mtime.
    expect((await index.update()).listed).toBe(true);
  });

  it('lists anyway after maxUnlistedMs, however quiet the directory looks', async () => {
    const dir = tempDir();
    let now = Date.now() + 10_000;
    const index = new DirIndex(dir, { nowMs: () => now, maxUnlistedMs: 60_000 });
    await index.update();
    expect((await index.update()).listed).toBe(false);
    now += 60_000;
    expect((await index.update()).listed).toBe(true);
  });
});

describe('DirIndex.update with a stop signal (issue 15 item 4)', () => {
  it('item 4: a signal aborted during the listing ends it at the next slice: null, the index as it was; a later update lists all', async () => {
    const dir = tempDir();
    for (let i = 0; i < 12_000; i++) fs.writeFileSync(path.join(dir, i.toString(16).toUpperCase().padStart(8, '0')), '');
    const index = new DirIndex(dir);
    const stop = new AbortController();
    const listing = index.update({ force: true, signal: stop.signal });
    stop.abort(); // seen after the first slice of 5000 entries
    expect(await listing).toBeNull();
    expect(index.size).toBe(0);
    expect((await index.update({ signal: stop.signal, force: false }))).toBeNull();
    const changes = await index.update();
    expect(changes.added).toHaveLength(12_000);
    expect(index.size).toBe(12_000);
  });
});

describe('DirIndex.update handing out part of a listing (issue 15 item 4: SIGUSR1 during a listing)', () => {
  const hex = (i: number): string => i.toString(16).toUpperCase().padStart(8, '0');
  const names = (files: { length: number; name(i: number): string }): string[] => Array.from({ length: files.length }, (_, i) => files.name(i));

  it.each([
    ['a first listing', 0],
    ['a listing of a known directory', 3000],
  ])('item 4: %s yields what it found so far, goes on at the next update, and drops the unseen only when complete', async (_title, knownBefore) => {
    const dir = tempDir();
    for (let i = 0; i < knownBefore; i++) fs.writeFileSync(path.join(dir, hex(i)), '');
    const index = new DirIndex(dir);
    const stop = new AbortController();
    const gone = knownBefore > 0 ? ['FFFFFFFF'] : [];
    for (const name of gone) fs.writeFileSync(path.join(dir, name), '');
    if (knownBefore > 0) await index.update();
    for (const name of gone) fs.rmSync(path.join(dir, name)); // gone: forgotten only once the listing is complete
    for (let i = knownBefore; i < 12_000; i++) fs.writeFileSync(path.join(dir, hex(i)), '');
    const part = await index.update({ force: true, signal: stop.signal, yieldWhen: () => true });
    expect(part?.complete).toBe(false);
    expect(part?.removed).toHaveLength(0);
    expect(index.listingPending).toBe(true);
    expect(index.size).toBe(knownBefore + gone.length + (part?.added.length ?? 0));
    for (const name of gone) expect(index.has(name)).toBe(true);
    const seenFirst = new Set(names(part!.added));
    // The next update goes on (even unforced): nothing handed out twice.
    const rest = await index.update({ signal: stop.signal });
    expect(rest?.complete).toBe(true);
    expect(index.listingPending).toBe(false);
    for (const name of names(rest!.added)) expect(seenFirst.has(name)).toBe(false);
    expect(seenFirst.size + rest!.added.length).toBe(12_000 - knownBefore);
    expect(names(rest!.removed)).toEqual(gone);
    expect(index.size).toBe(12_000);
    expect((await index.update({ force: true })).added).toHaveLength(0);
    expect(index.size).toBe(12_000);
  });

  it('item 4: a file forgotten while the listing is pending does not keep a gone file in the index', async () => {
    const dir = tempDir();
    for (let i = 0; i < 6000; i++) fs.writeFileSync(path.join(dir, hex(i)), '');
    const index = new DirIndex(dir);
    await index.update();
    const stop = new AbortController();
    fs.rmSync(path.join(dir, hex(5999)));
    for (let i = 6000; i < 12_000; i++) fs.writeFileSync(path.join(dir, hex(i)), '');
    const part = await index.update({ force: true, signal: stop.signal, yieldWhen: () => true });
    expect(part?.added.length).toBeGreaterThan(0);
    index.forget(part!.added.name(0)); // counted seen by the listing, then gone from the index
    const rest = await index.update({ signal: stop.signal });
    expect(names(rest!.removed)).toEqual([hex(5999)]);
    expect(index.has(hex(5999))).toBe(false);
  });
});

describe('isSettledStamp', () => {
  it('trusts a directory time only when it is more than 2 s before the look', () => {
    const stamp = { ino: 1, mtimeMs: 1000, ctimeMs: 1000 };
    expect(isSettledStamp(stamp, 3001)).toBe(true);
    expect(isSettledStamp(stamp, 3000)).toBe(false);
    expect(isSettledStamp({ ...stamp, ctimeMs: 2500 }, 3001)).toBe(false);
    expect(isSettledStamp(stamp, 500)).toBe(false); // clock behind the filesystem
  });
});

describe('readPnfsids', () => {
  it('lists hexadecimal names only, in any order', async () => {
    const dir = tempDir();
    for (const name of ['AA', 'bb', 'AA.err', '.x']) fs.writeFileSync(path.join(dir, name), '');
    expect((await readPnfsids(dir)).sort()).toEqual(['AA', 'bb']);
  });
});


describe('DirIndex slots', () => {
  it('finds names after a first listing, reuses the slots of removed files, and never changes an array it handed out', async () => {
    const dir = tempDir();
    for (const name of ['A1', 'A2', 'A3']) fs.writeFileSync(path.join(dir, name), name);
    const index = new DirIndex(dir);
    await index.update();
    const first = index.snapshot();
    const firstNames = first.map((f) => f.name);
    const firstFiles = first.toArray();
    expect(index.get('A2')?.sizeBytes).toBe(2);
    fs.rmSync(path.join(dir, 'A2'));
    fs.writeFileSync(path.join(dir, 'B1'), 'b');
    fs.writeFileSync(path.join(dir, 'B2'), 'bb');
    const changes = await index.update({ force: true });
    expect(changes.removed.map((f) => f.name)).toEqual(['A2']);
    expect(changes.added.map((f) => f.name).sort()).toEqual(['B1', 'B2']);
    expect(first.map((f) => f.name)).toEqual(firstNames);
    // Sizes and mtimes too: B1 or B2 took the slot of A2, in columns the snapshot shared.
    expect(first.toArray()).toEqual(firstFiles);
    expect([...firstNames].sort()).toEqual(['A1', 'A2', 'A3']);
    expect(index.snapshot().map((f) => f.name).sort()).toEqual(['A1', 'A3', 'B1', 'B2']);
    expect(index.get('A2')).toBeUndefined();
    expect(index.get('B2')?.sizeBytes).toBe(2);
    expect(index.size).toBe(4);
    expect(index.totalBytes).toBe(7);
    index.forget('B1');
    expect(index.get('B1')).toBeUndefined();
    expect((await index.update()).added.map((f) => f.name)).toEqual(['B1']);
  });

  it('issue 15: once the caller releases its snapshots, a change works in the columns themselves (no copy of a million files)', async () => {
    const dir = tempDir();
    for (const name of ['A1', 'A2', 'A3']) fs.writeFileSync(path.join(dir, name), name);
    const index = new DirIndex(dir);
    await index.update();
    const released = index.snapshot();
    index.releaseSnapshots();
    fs.rmSync(path.join(dir, 'A2'));
    expect((await index.update({ force: true })).removed.map((f) => f.name)).toEqual(['A2']);
    // The columns were not copied: the slot of A2 is emptied in the very array the released snapshot held.
    expect(released.columns().names).toContain(undefined);
    expect(index.snapshot().map((f) => f.name).sort()).toEqual(['A1', 'A3']);
    expect([index.size, index.totalBytes, index.has('A2')]).toEqual([2, 4, false]);
  });

  it('empties completely when every file is gone, and fills again from a fresh start', async () => {
    const dir = tempDir();
    const names = Array.from({ length: 3000 }, (_, n) => n.toString(16).toUpperCase().padStart(8, '0'));
    for (const name of names) fs.writeFileSync(path.join(dir, name), 'x');
    const index = new DirIndex(dir);
    await index.update();
    for (const name of names.slice(0, 2000)) fs.rmSync(path.join(dir, name));
    expect((await index.update({ force: true })).removed).toHaveLength(2000);
    expect(index.get(names[2500] as string)?.sizeBytes).toBe(1);
    for (const name of names.slice(2000)) fs.rmSync(path.join(dir, name));
    expect((await index.update({ force: true })).removed).toHaveLength(1000);
    expect([index.size, index.totalBytes, index.snapshot().length]).toEqual([0, 0, 0]);
    expect(index.get(names[2500] as string)).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'ABC'), 'abc');
    expect((await index.update({ force: true })).added.map((f) => f.name)).toEqual(['ABC']);
    expect(index.get('ABC')?.sizeBytes).toBe(3);
    expect(index.get(names[0] as string)).toBeUndefined();
  });
});

