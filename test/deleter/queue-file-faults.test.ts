/**
 * trash/ and trash/queue/ holding what they should not (symlinks, FIFOs,
 * directories, sockets, huge files, temporary files of a crash), and writes
 * failing on a full filesystem.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { isQueueTempName, listQueueFiles, readQueueFile, removeQueueTemps, setAsideQueueFile, writeQueueFile } from '../../src/deleter/queue-file.js';
import { queueTrash } from '../../src/deleter/trash.js';
import { failWritesHalfway, fileHandlePrototype } from './failing-writes.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';
const B = '00000A1B2C3D4E5F60718293A4B5C6D7E8F9';
const T = 1_700_000_000_000;

const dirs: string[] = [];
const servers: net.Server[] = [];
const spies: MockInstance[] = [];
afterEach(async () => {
  for (const spy of spies.splice(0)) spy.mockRestore();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempPool(): { root: string; trash: string; queue: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-queue-faults-'));
  dirs.push(root);
  const trash = path.join(root, 'trash');
  const queue = path.join(trash, 'queue');
  fs.mkdirSync(queue, { recursive: true });
  return { root, trash, queue };
}

type Planter = (at: string, root: string) => Promise<void>;
const PLANT: Record<'directory' | 'fifo' | 'symlink' | 'socket', Planter> = {
  directory: async (at) => fs.mkdirSync(at),
  fifo: async (at) => void execFileSync('mkfifo', [at]),
  symlink: async (at, root) => {
    const target = path.join(root, 'elsewhere.json');
    fs.writeFileSync(target, JSON.stringify([A]));
    fs.symlinkSync(target, at);
  },
  socket: async (at) => {
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(at, resolve));
  },
};
const ODD_KINDS = Object.keys(PLANT) as Array<keyof typeof PLANT>;

async function failWrites(queue: string): Promise<string[]> {
  const failing = await failWritesHalfway(queue);
  spies.push(failing.spy);
  return failing.tempsSeen;
}

describe('fault 12: reading trash/queue/ never follows, blocks on or stops at an odd entry', () => {
  it.each(ODD_KINDS)('a %s named like a queue file is reported as such, not read', async (kind) => {
    const { root, queue } = tempPool();
    await PLANT[kind](path.join(queue, '1000'), root);
    fs.writeFileSync(path.join(queue, '1001'), JSON.stringify([B]));
    expect(await readQueueFile(queue, '1000')).toEqual({ kind: 'odd', odd: { name: '1000', kind } });
    expect(await listQueueFiles(queue)).toEqual({ names: ['1001'], odd: [{ name: '1000', kind }] });
  }, 10_000);

  it('a queue file larger than the bound is corrupt, and not read into memory', async () => {
    const { queue } = tempPool();
    fs.writeFileSync(path.join(queue, '1000'), JSON.stringify([A, B]));
    expect(await readQueueFile(queue, '1000', 100)).toEqual({ kind: 'read', file: { name: '1000', ids: [A, B] } });
    expect(await readQueueFile(queue, '1000', 50)).toEqual({ kind: 'corrupt', corrupt: { name: '1000', error: 'larger than 50 B' } });
  });
});

describe('fault 3: queueing trash/ skips what is not a regular file', () => {
  it('reports each pnfsid-named odd entry, never queues it; other names are not looked at', async () => {
    const { root, trash, queue } = tempPool();
    const odd = { directory: '0000A1', fifo: '0000A2', symlink: '0000A3', socket: '0000A4' };
    for (const kind of ODD_KINDS) await PLANT[kind](path.join(trash, odd[kind]), root);
    fs.writeFileSync(path.join(trash, A), 'osm://x');
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(trash, '.not-an-id'));
    const reported: Array<[string, string]> = [];
    const queued = await queueTrash(trash, queue, T, { onOddEntry: (name, kind) => reported.push([name, kind]) });
    expect(queued).toMatchObject({ ids: 1, error: null, batches: [{ count: 1 }] });
    expect(reported.sort()).toEqual(ODD_KINDS.map((kind) => [odd[kind], kind]).sort());
  });
});

describe('fault 4: a symlink planted at a name the deleter writes is never followed', () => {
  it('a symlink at the next queue file name: the next free second is taken, the target never created', async () => {
    const { root, queue } = tempPool();
    const target = path.join(root, 'planted-target');
    fs.symlinkSync(target, path.join(queue, String(T / 1000)));
    expect(await writeQueueFile(queue, [A], T)).toBe(String(T / 1000 + 1));
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readlinkSync(path.join(queue, String(T / 1000)))).toBe(target);
  });

  it('a symlink at the .bad name: the corrupt file goes to the next free name, the target never created', async () => {
    const { root, queue } = tempPool();
    const target = path.join(root, 'planted-target');
    fs.writeFileSync(path.join(queue, '1000'), '["0000');
    fs.symlinkSync(target, path.join(queue, '1000.bad'));
    expect(await setAsideQueueFile(queue, '1000')).toBe('1000.bad.2');
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readFileSync(path.join(queue, '1000.bad.2'), 'utf8')).toBe('["0000');
  });
});

describe('fault 15: a full trash/queue/ leaves no temporary file', () => {
  it('a queue file write failing halfway removes its temporary file', async () => {
    const { queue } = tempPool();
    const temps = await failWrites(queue);
    await expect(writeQueueFile(queue, [A, B], T)).rejects.toThrow(/ENOSPC/);
    expect(temps).toHaveLength(1); // it was there while writing …
    expect(temps.every(isQueueTempName)).toBe(true); // … under the name removeQueueTemps looks for
    expect(fs.readdirSync(queue)).toEqual([]); // … and is gone
  });

  it('a failing flush to disk removes the temporary file too', async () => {
    const { queue } = tempPool();
    const proto = await fileHandlePrototype();
    spies.push(vi.spyOn(proto, 'sync').mockRejectedValue(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
    await expect(writeQueueFile(queue, [A], T)).rejects.toThrow(/EIO/);
    expect(fs.readdirSync(queue)).toEqual([]);
  });

  it('queueTrash on a full filesystem: no queue file, no temporary file, the trash files stay, the error is returned', async () => {
    const { trash, queue } = tempPool();
    for (const id of [A, B]) fs.writeFileSync(path.join(trash, id), 'osm://x');
    await failWrites(queue);
    expect(await queueTrash(trash, queue, T)).toEqual({ ids: 0, files: [], batches: [], error: expect.stringMatching(/ENOSPC/) });
    expect(fs.readdirSync(queue)).toEqual([]);
    expect(fs.readdirSync(trash).sort()).toEqual([A, B, 'queue'].sort());
  });

  it('removeQueueTemps removes regular files with the temporary name pattern only', async () => {
    const { root, queue } = tempPool();
    const temps = ['.1700000000.0123456789ab.tmp', '.1.abcdefabcdef.tmp'];
    const others = ['.1700000000.tmp', '.x.0123456789ab.tmp', '1700000000.0123456789ab.tmp', '.1700000000.0123456789AB.tmp', '1700000000'];
    for (const name of [...temps, ...others]) fs.writeFileSync(path.join(queue, name), '');
    fs.mkdirSync(path.join(queue, '.1700000001.0123456789ab.tmp'));
    fs.symlinkSync(path.join(root, 'keep'), path.join(queue, '.1700000002.0123456789ab.tmp'));
    expect((await removeQueueTemps(queue)).sort()).toEqual(temps.sort());
    expect(fs.readdirSync(queue).sort()).toEqual([...others, '.1700000001.0123456789ab.tmp', '.1700000002.0123456789ab.tmp'].sort());
  });
});
