/**
 * The full listing of request/ runs in a worker thread (dist/, as the
 * daemon runs it): it must hand out exactly what the in-thread scan does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness.js';

type OnFile = (name: string, stat: { mtimeMs: number; sizeBytes: number }) => void;
type OnOdd = (odd: { name: string; problem: string }) => void;
interface ListerModule {
  startListing(dir: string, onFile: OnFile, onOdd: OnOdd, signal?: AbortSignal): { done: Promise<number> };
}
interface ScanModule {
  scanRequestDir(dir: string, onFile: OnFile, onOdd: OnOdd): Promise<number>;
}

const load = async <T>(module: string): Promise<T> => (await import(path.join(REPO_ROOT, 'dist', 'retriever', module))) as T;

describe('request/ listing in a worker thread', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('lists every hexadecimal regular file with mtime and size, in batches, like the in-thread scan', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-list-'));
    dirs.push(dir);
    for (let i = 0; i < 20_000; i++) fs.writeFileSync(path.join(dir, `0000${i.toString(16).toUpperCase().padStart(32, '0')}`), 'x'.repeat(i % 97));
    fs.writeFileSync(path.join(dir, 'ABC.err'), 'not a request');
    fs.writeFileSync(path.join(dir, '.hidden'), 'not a request');
    fs.mkdirSync(path.join(dir, 'ABCDEF'));
    fs.symlinkSync(path.join(dir, 'ABC.err'), path.join(dir, 'ABCDEF0'));
    fs.writeFileSync(path.join(dir, 'F'.repeat(65)), 'no pnfsid');
    const { startListing } = await load<ListerModule>('request-lister.js');
    const { scanRequestDir } = await load<ScanModule>('scan-requests.js');
    const inWorker = new Map<string, string>();
    const inThread = new Map<string, string>();
    const oddInWorker: string[] = [];
    const oddInThread: string[] = [];
    const count = await startListing(dir, (name, st) => inWorker.set(name, `${st.mtimeMs}/${st.sizeBytes}`), (odd) => oddInWorker.push(`${odd.name} ${odd.problem}`)).done;
    await scanRequestDir(dir, (name, st) => inThread.set(name, `${st.mtimeMs}/${st.sizeBytes}`), (odd) => oddInThread.push(`${odd.name} ${odd.problem}`));
    expect(count).toBe(20_000);
    expect(inWorker.size).toBe(20_000);
    expect([...inWorker].sort()).toEqual([...inThread].sort());
    // fault 3 and 11: odd entries come out of the worker too.
    expect(oddInWorker.sort()).toEqual(['ABCDEF directory', 'ABCDEF0 symlink', `${'F'.repeat(65)} long-name`]);
    expect(oddInThread.sort()).toEqual(oddInWorker);
  });

  it('item 4 (issue 15): a stop ends the listing at once: done resolves with what was handed out, nothing comes after, no listing in this thread instead', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-list-'));
    dirs.push(dir);
    for (let i = 0; i < 40_000; i++) fs.writeFileSync(path.join(dir, `0000${i.toString(16).toUpperCase().padStart(32, '0')}`), 'x');
    const { startListing } = await load<ListerModule>('request-lister.js');
    const stop = new AbortController();
    let handedOut = 0;
    const listing = startListing(dir, () => handedOut++, () => {}, stop.signal);
    stop.abort();
    const count = await listing.done;
    expect(count).toBe(handedOut);
    expect(count).toBeLessThan(40_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(handedOut).toBe(count);
  });

  it('fails (instead of reporting an empty directory) when request/ cannot be read', async () => {
    const { startListing } = await load<ListerModule>('request-lister.js');
    await expect(startListing(path.join(os.tmpdir(), 'endit-no-such-dir'), () => {}, () => {}).done).rejects.toThrow(/ENOENT/);
  });
});
