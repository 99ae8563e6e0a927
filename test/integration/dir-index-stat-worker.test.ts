/**
 * DirIndex's first listing of a big out/ lstat()s new names on both cores:
 * part of the batches in a worker thread (dist/, as the archiver runs it).
 * It must hand out exactly what stat-ing each name on the main thread does,
 * in the same order, also when the worker fails or the listing yields.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness.js';

interface Added {
  toArray(): { name: string; sizeBytes: number; mtimeMs: number }[];
}
interface Changes {
  readonly complete: boolean;
  readonly added: Added;
}
interface DirIndexOptions {
  readonly parallelStatFrom?: number;
  readonly statWorkerUrl?: URL;
}
interface DirIndexModule {
  DirIndex: new (dir: string, options?: DirIndexOptions) => {
    update(options?: { signal: AbortSignal; yieldWhen?: () => boolean }): Promise<Changes | null>;
  };
}

const load = async (): Promise<DirIndexModule> => (await import(path.join(REPO_ROOT, 'dist', 'core', 'pool', 'dir-index.js'))) as DirIndexModule;
const fixture = (name: string): URL => new URL(`./stat-worker-fixtures/${name}.mjs`, import.meta.url);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const FILES = 7000;

/** out/ with FILES regular files of several sizes, and under pnfsid names a symlink to a file outside, a directory and a FIFO. */
function bigOut(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-statworker-'));
  dirs.push(root);
  const dir = path.join(root, 'out');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(root, 'shadow'), 'secret');
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(dir, (0x100000 + i).toString(16).toUpperCase()), 'x'.repeat(i % 31));
  fs.symlinkSync(path.join(root, 'shadow'), path.join(dir, 'ABCDEF0'));
  fs.mkdirSync(path.join(dir, 'ABCDEF1'));
  execFileSync('mkfifo', [path.join(dir, 'ABCDEF2')]);
  return dir;
}

/** The names in directory order, as a listing reads them. */
function listingOrder(dir: string): string[] {
  const handle = fs.opendirSync(dir);
  const names: string[] = [];
  for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) if (entry.isFile()) names.push(entry.name);
  handle.closeSync();
  return names;
}

/** Batches the fixture workers were sent (they tell through a BroadcastChannel). */
function countBatches(): { readonly count: () => number; readonly close: () => void } {
  const channel = new BroadcastChannel('endit-stat-worker-test');
  let batches = 0;
  channel.onmessage = () => batches++;
  return { count: () => batches, close: () => channel.close() };
}

/** What one thread stat-ing each name at once finds (after whatever the test changed). */
async function oneThread(dir: string): Promise<ReturnType<Added['toArray']>> {
  const { DirIndex } = await load();
  return ((await new DirIndex(dir, { parallelStatFrom: Infinity }).update()) as Changes).added.toArray();
}

describe('DirIndex: new names lstat-ed in a worker thread too (issue 15, the first listing of out/)', () => {
  it('the same files (names, sizes, mtimes, order) as one thread; the worker took batches; a name gone or swapped for a symlink or a directory before its stat is not a file', async () => {
    const dir = bigOut();
    const order = listingOrder(dir);
    const { DirIndex } = await load();
    const batches = countBatches();
    // At the first slice's end (5,000 entries) names from about 4,100 on wait in the batch being filled.
    const [gone, swapped, madeDir] = [order[4500], order[4600], order[4700]] as [string, string, string];
    let changed = false;
    const yieldWhen = (): boolean => {
      if (!changed) {
        changed = true;
        fs.rmSync(path.join(dir, gone));
        fs.rmSync(path.join(dir, swapped));
        fs.symlinkSync(path.join(dir, '..', 'shadow'), path.join(dir, swapped));
        fs.rmSync(path.join(dir, madeDir));
        fs.mkdirSync(path.join(dir, madeDir));
      }
      return false;
    };
    const index = new DirIndex(dir, { parallelStatFrom: 0, statWorkerUrl: fixture('counting') });
    const changes = (await index.update({ signal: new AbortController().signal, yieldWhen })) as Changes;
    batches.close();
    const added = changes.added.toArray();
    expect(changed).toBe(true);
    expect(batches.count()).toBeGreaterThan(0);
    expect(added.length).toBe(FILES - 3);
    expect(added.map((f) => f.name)).not.toContain(swapped);
    expect(added).toEqual(await oneThread(dir));
  });

  it('the stat worker beside dir-index.js in dist/ and beside the archiver bundle in dist/bundle/ (new URL(./stat-worker.js))', async () => {
    const dir = bigOut();
    const { DirIndex } = await load();
    const changes = (await new DirIndex(dir, { parallelStatFrom: 0 }).update()) as Changes;
    expect(changes.added.toArray()).toEqual(await oneThread(dir));
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist', 'core', 'pool', 'stat-worker.js'))).toBe(true);
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist', 'bundle', 'stat-worker.js'))).toBe(true);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'bundle', 'endit-archiver.js'), 'utf8')).toContain('new URL("./stat-worker.js", import.meta.url)');
  });

  it.each([
    ['answers its first batch and ends at its second', 'exits'],
    ['fails (error event) at its first batch', 'throws'],
    ['cannot be loaded', 'no-such-worker'],
  ])('a stat worker that %s: its batches are stat-ed on the main thread, none lost or doubled', async (_what, name) => {
    const dir = bigOut();
    const { DirIndex } = await load();
    const changes = (await new DirIndex(dir, { parallelStatFrom: 0, statWorkerUrl: fixture(name) }).update()) as Changes;
    expect(changes.added.toArray()).toEqual(await oneThread(dir));
  });

  it('yieldWhen with batches still in the worker: each file exactly once over the two updates, in listing order', async () => {
    const dir = bigOut();
    const { DirIndex } = await load();
    const batches = countBatches();
    const index = new DirIndex(dir, { parallelStatFrom: 0, statWorkerUrl: fixture('slow') });
    const signal = new AbortController().signal;
    const first = (await index.update({ signal, yieldWhen: () => true })) as Changes;
    const sentBeforeYield = batches.count();
    const second = (await index.update({ signal })) as Changes;
    batches.close();
    expect([first.complete, second.complete]).toEqual([false, true]);
    expect(sentBeforeYield).toBeGreaterThan(0);
    expect(first.added.toArray().length).toBeGreaterThan(4000);
    expect([...first.added.toArray(), ...second.added.toArray()]).toEqual(await oneThread(dir));
  });
});
