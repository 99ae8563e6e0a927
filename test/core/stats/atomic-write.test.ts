import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicNoReplace, writeFileAtomicSync } from '../../../src/core/stats/atomic-write.js';

let root: string;
let dir: string;
let outside: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-atomic-'));
  dir = path.join(root, 'pool');
  fs.mkdirSync(dir);
  outside = path.join(root, 'outside.txt');
  fs.writeFileSync(outside, 'precious\n');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The directory holds exactly these names (no temporary file left behind). */
function names(): string[] {
  return fs.readdirSync(dir).sort();
}

describe('atomic writes', () => {
  it.each([
    ['writeFileAtomic', (file: string) => writeFileAtomic(file, 'new\n')],
    ['writeFileAtomicSync', (file: string) => Promise.resolve(writeFileAtomicSync(file, 'new\n'))],
  ])('%s replaces a symlink planted at the target, never what it points to', async (_name, write) => {
    const target = path.join(dir, 'stats.json');
    fs.symlinkSync(outside, target);
    await write(target);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(target).isFile()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(names()).toEqual(['stats.json']);
  });

  it('writeFileAtomicNoReplace refuses a symlink planted at the target', async () => {
    const target = path.join(dir, 'queue.1');
    fs.symlinkSync(outside, target);
    await expect(writeFileAtomicNoReplace(target, 'new\n', { fsync: true })).rejects.toThrow(/EEXIST/);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(names()).toEqual(['queue.1']);
  });

  it('writes with the mode asked for, whatever the umask', async () => {
    const target = path.join(dir, 'a.prom');
    writeFileAtomicSync(target, 'x', { mode: 0o644, fsync: true });
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
    await writeFileAtomicNoReplace(path.join(dir, 'b'), 'y', { mode: 0o600 });
    expect(fs.statSync(path.join(dir, 'b')).mode & 0o777).toBe(0o600);
    expect(names()).toEqual(['a.prom', 'b']);
  });
});
