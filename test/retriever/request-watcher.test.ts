import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestWatcher } from '../../src/retriever/request-watcher.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('RequestWatcher', () => {
  const dirs: string[] = [];
  const watchers: RequestWatcher[] = [];
  afterEach(() => {
    for (const w of watchers.splice(0)) w.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function setUp(): { dir: string; watcher: RequestWatcher; errors: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-watch-'));
    dirs.push(dir);
    const errors: string[] = [];
    const watcher = new RequestWatcher(dir, (m) => errors.push(m));
    watchers.push(watcher);
    return { dir, watcher, errors };
  }

  it('asks for a full listing at first, then reports changed hexadecimal names only', async () => {
    const { dir, watcher } = setUp();
    expect(watcher.ensureStarted()).toBe(true);
    expect(watcher.listingNeeded).toBe(true);
    watcher.listingStarted();
    expect(watcher.listingNeeded).toBe(false);
    fs.writeFileSync(path.join(dir, id(1)), '{}');
    fs.writeFileSync(path.join(dir, `${id(2)}.err`), 'x');
    fs.writeFileSync(path.join(dir, '.tmp'), 'x');
    fs.rmSync(path.join(dir, id(1)));
    const seen = new Set<string>();
    await until(() => {
      for (const name of watcher.drain()) seen.add(name);
      return seen.has(id(1));
    });
    expect([...seen]).toEqual([id(1)]);
    expect(watcher.drain()).toEqual([]);
  });

  it('asks for a full listing again when the watch breaks (the directory is replaced)', async () => {
    const { dir, watcher, errors } = setUp();
    watcher.ensureStarted();
    watcher.listingStarted();
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    // The next cycle notices the new directory, watches it and lists it.
    expect(watcher.ensureStarted()).toBe(true);
    expect(watcher.listingNeeded).toBe(true);
    expect(errors).toHaveLength(1);
    watcher.listingStarted();
    fs.writeFileSync(path.join(dir, id(3)), '{}');
    await until(() => watcher.drain().includes(id(3)) || watcher.listingNeeded);
    expect(watcher.listingNeeded).toBe(false);
  });
});
