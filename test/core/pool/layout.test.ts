import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirIndex, isPnfsid, PoolLayoutError, preparePool, scanPoolDir } from '../../../src/core/pool/index.js';

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
