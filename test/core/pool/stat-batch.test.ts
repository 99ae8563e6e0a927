import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { STAT_FAILED, STAT_FILE, STAT_SKIP, statBatch } from '../../../src/core/pool/stat-batch.js';
import { DirIndex } from '../../../src/core/pool/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-statbatch-'));
  dirs.push(d);
  return d;
}

describe('statBatch (the stat worker and the main thread alike)', () => {
  it('lstat, never stat: a symlink to a file, a directory, a FIFO and a gone name are not files', () => {
    const root = tempDir();
    const dir = path.join(root, 'out');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(root, 'shadow'), 'secret');
    fs.writeFileSync(path.join(dir, 'AA'), 'xyz');
    fs.symlinkSync(path.join(root, 'shadow'), path.join(dir, 'BB'));
    fs.mkdirSync(path.join(dir, 'CC'));
    execFileSync('mkfifo', [path.join(dir, 'DD')]);
    const { sizes, mtimes, outcome } = statBatch(dir, ['AA', 'BB', 'CC', 'DD', 'EE']);
    expect([...outcome]).toEqual([STAT_FILE, STAT_SKIP, STAT_SKIP, STAT_SKIP, STAT_SKIP]);
    expect(sizes[0]).toBe(3);
    expect(mtimes[0]).toBe(fs.lstatSync(path.join(dir, 'AA')).mtimeMs);
  });

  it('a name whose lstat fails otherwise (ENOTDIR) is marked for the main thread', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'AA'), 'x');
    expect([...statBatch(`${dir}/AA`, ['BB']).outcome]).toEqual([STAT_FAILED]);
  });
});

describe('DirIndex stats new names in batches from parallelStatFrom on (src/: no worker module, every batch here)', () => {
  it('the same files in the same order as stat-ing each name at once, also with a stat worker that cannot start', async () => {
    const dir = tempDir();
    for (let i = 0; i < 5000; i++) fs.writeFileSync(path.join(dir, (0xa000 + i).toString(16).toUpperCase()), 'x'.repeat(i % 13));
    fs.mkdirSync(path.join(dir, 'ABCDEF'));
    fs.symlinkSync(path.join(dir, 'A000'), path.join(dir, 'ABCDE0'));
    const one = await new DirIndex(dir, { parallelStatFrom: Infinity }).update();
    const batched = await new DirIndex(dir, { parallelStatFrom: 100 }).update();
    const badWorker = await new DirIndex(dir, { parallelStatFrom: 0, statWorkerUrl: new URL('file:///nonexistent/stat-worker.js') }).update();
    expect(one.added.length).toBe(5000);
    expect(batched.added.toArray()).toEqual(one.added.toArray());
    expect(badWorker.added.toArray()).toEqual(one.added.toArray());
  });
});
