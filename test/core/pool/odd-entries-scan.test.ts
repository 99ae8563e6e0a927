import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DirIndex, scanPoolDir, statPoolFile } from '../../../src/core/pool/index.js';

const dirs: string[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-odd-'));
  dirs.push(d);
  return d;
}

/** A pool directory with one real file and, under pnfsid names, a symlink to a file outside, a directory, a FIFO and a socket. */
async function oddPool(): Promise<{ dir: string; outside: string }> {
  const root = tempDir();
  const dir = path.join(root, 'out');
  fs.mkdirSync(dir);
  const outside = path.join(root, 'secret');
  fs.writeFileSync(outside, 'not pool data');
  fs.writeFileSync(path.join(dir, 'AA'), 'xyz');
  fs.symlinkSync(outside, path.join(dir, 'BB'));
  fs.mkdirSync(path.join(dir, 'CC'));
  execFileSync('mkfifo', [path.join(dir, 'DD')]);
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'EE'), resolve));
  return { dir, outside };
}

describe('fault 3: symlinks and other odd entries in a pool directory are never taken as files', () => {
  it('statPoolFile does not follow a symlink to a file outside the pool', async () => {
    const { dir } = await oddPool();
    expect(statPoolFile(dir, 'BB')).toBeNull();
    expect(statPoolFile(dir, 'AA')).toMatchObject({ name: 'AA', sizeBytes: 3 });
  });

  it('scanPoolDir lists only the regular file', async () => {
    const { dir } = await oddPool();
    expect((await scanPoolDir(dir)).map((f) => f.name)).toEqual(['AA']);
  });

  it('DirIndex skips them with one warning per entry naming it, again only after it went away and came back', async () => {
    const { dir, outside } = await oddPool();
    const warnings: string[] = [];
    const index = new DirIndex(dir, { warnOddEntry: (message) => warnings.push(message) });
    expect((await index.refresh()).map((f) => f.name)).toEqual(['AA']);
    expect(index.totalBytes).toBe(3);
    expect(warnings.sort()).toEqual([
      `${dir}/BB: skipped, a symlink is not a regular file`,
      `${dir}/CC: skipped, a directory is not a regular file`,
      `${dir}/DD: skipped, a fifo is not a regular file`,
      `${dir}/EE: skipped, a socket is not a regular file`,
    ]);
    await index.refresh();
    expect(warnings).toHaveLength(4);
    fs.rmSync(path.join(dir, 'BB'));
    await index.refresh();
    fs.symlinkSync(outside, path.join(dir, 'BB'));
    await index.refresh();
    expect(warnings.filter((w) => w.includes('/BB:'))).toHaveLength(2);
    expect(index.get('BB')).toBeUndefined();
  });

  it('DirIndex drops a known file that was replaced by a symlink of the same name', async () => {
    const { dir, outside } = await oddPool();
    const warnings: string[] = [];
    const index = new DirIndex(dir, { warnOddEntry: (message) => warnings.push(message) });
    await index.refresh();
    fs.rmSync(path.join(dir, 'AA'));
    fs.symlinkSync(outside, path.join(dir, 'AA'));
    expect(await index.refresh()).toEqual([]);
    expect(warnings).toContain(`${dir}/AA: skipped, a symlink is not a regular file`);
  });
});
