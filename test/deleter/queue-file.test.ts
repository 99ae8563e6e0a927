import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  formatQueueText,
  isQueueFileName,
  listQueueFiles,
  parseQueueText,
  QUEUE_FILE_MAX_IDS,
  readQueueFile,
  setAsideQueueFile,
  writeQueueFile,
  writeQueueFiles,
} from '../../src/deleter/queue-file.js';
import { queueTrash, removeQueuedTrash, type QueuedBatch } from '../../src/deleter/trash.js';
import { fileHandlePrototype } from './failing-writes.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';
const B = '00000A1B2C3D4E5F60718293A4B5C6D7E8F9';
const T = 1_700_000_000_000;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The ids of each named queue file (all must be readable). */
async function readIds(queue: string, names: readonly string[]): Promise<string[][]> {
  const ids: string[][] = [];
  for (const name of names) {
    const result = await readQueueFile(queue, name);
    if (result.kind !== 'read') throw new Error(`${name}: ${result.kind}`);
    ids.push(result.file.ids);
  }
  return ids;
}

function tempPool(): { trash: string; queue: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-queue-'));
  dirs.push(root);
  const trash = path.join(root, 'trash');
  const queue = path.join(trash, 'queue');
  fs.mkdirSync(queue, { recursive: true });
  return { trash, queue };
}

describe('parseQueueText', () => {
  it.each([
    ['what the Perl deleter wrote', `["${A}","${B}"]\n`, [A, B]],
    ['pretty-printed', `[\n  "${A}"\n]`, [A]],
    ['empty', '[]', []],
  ])('reads %s', (_name, text, ids) => {
    expect(parseQueueText(text)).toEqual(ids);
  });

  it.each([
    ['a truncated file', `["${A}","${B}`, /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['an object', `{"${A}":1}`, /not a JSON array/],
    ['a number in the array', `["${A}",5]`, /not a pnfsid: 5/],
    ['a path in the array', '["../../etc/passwd"]', /not a pnfsid/],
  ])('finds %s corrupt', (_name, text, error) => {
    const parsed = parseQueueText(text);
    expect(Array.isArray(parsed)).toBe(false);
    expect((parsed as { error: string }).error).toMatch(error);
  });

  it('writes what it reads', () => {
    expect(formatQueueText([A, B])).toBe(`["${A}","${B}"]\n`);
    expect(parseQueueText(formatQueueText([A, B]))).toEqual([A, B]);
  });

  it.each([
    ['1700000000', true],
    ['1700000000.bad', false],
    ['.1700000000.abc.tmp', false],
    ['debug', false],
  ])('queue file name %j: %s', (name, ok) => {
    expect(isQueueFileName(name)).toBe(ok);
  });
});

describe('writeQueueFile', () => {
  it('names the file by the unix time, never overwrites, takes the next free second', async () => {
    const { queue } = tempPool();
    fs.writeFileSync(path.join(queue, '1700000001'), '["0000AAAA"]\n');
    const first = await writeQueueFile(queue, [A], T);
    const second = await writeQueueFile(queue, [B], T + 500);
    const third = await writeQueueFile(queue, [B], T);
    expect([first, second, third]).toEqual(['1700000000', '1700000002', '1700000003']);
    expect(fs.readFileSync(path.join(queue, '1700000001'), 'utf8')).toBe('["0000AAAA"]\n');
    expect(fs.readFileSync(path.join(queue, first), 'utf8')).toBe(`["${A}"]\n`);
    // no temporary file left behind
    expect(fs.readdirSync(queue).sort()).toEqual(['1700000000', '1700000001', '1700000002', '1700000003']);
    expect((await listQueueFiles(queue)).names).toEqual(['1700000000', '1700000001', '1700000002', '1700000003']);
  });

  it('splits a long list into files of QUEUE_FILE_MAX_IDS ids', async () => {
    const { queue } = tempPool();
    const ids = Array.from({ length: 2 * QUEUE_FILE_MAX_IDS + 1 }, (_, n) => n.toString(16).padStart(8, '0'));
    const written = await writeQueueFiles(queue, ids, T);
    expect(written).toEqual([
      { name: '1700000000', ids: QUEUE_FILE_MAX_IDS },
      { name: '1700000001', ids: QUEUE_FILE_MAX_IDS },
      { name: '1700000002', ids: 1 },
    ]);
    expect((await readIds(queue, written.map((w) => w.name))).flat()).toEqual(ids);
  });
});

describe('readQueueFile and setAsideQueueFile', () => {
  it('reports corrupt files, skips vanished ones; a corrupt file is moved aside, never deleted', async () => {
    const { queue } = tempPool();
    fs.writeFileSync(path.join(queue, '100'), `["${A}"]`);
    fs.writeFileSync(path.join(queue, '200'), `["${B}"`);
    expect(await readQueueFile(queue, '100')).toEqual({ kind: 'read', file: { name: '100', ids: [A] } });
    expect(await readQueueFile(queue, '200')).toEqual({ kind: 'corrupt', corrupt: { name: '200', error: expect.stringMatching(/not valid JSON/) } });
    expect(await readQueueFile(queue, '300')).toEqual({ kind: 'gone' });
    expect(await setAsideQueueFile(queue, '200')).toBe('200.bad');
    fs.writeFileSync(path.join(queue, '200'), 'again');
    expect(await setAsideQueueFile(queue, '200')).toBe('200.bad.2');
    expect(fs.readFileSync(path.join(queue, '200.bad'), 'utf8')).toBe(`["${B}"`);
    expect((await listQueueFiles(queue)).names).toEqual(['100']);
  });
});

/** A batch waiting for removal, as queueTrash hands it out. */
const queuedBatch = (name: string, ids: string[]): QueuedBatch => ({ name, count: ids.length, bytes: Buffer.from(formatQueueText(ids)) });

describe('queueTrash and removeQueuedTrash', () => {
  it('queues hexadecimal trash files in one queue file and leaves them until removed; other names stay', async () => {
    const { trash, queue } = tempPool();
    for (const id of [A, B]) fs.writeFileSync(path.join(trash, id), 'osm://x/?bfid=1');
    fs.writeFileSync(path.join(trash, '.hidden'), '');
    fs.writeFileSync(path.join(trash, `${A}.tmp`), '');
    fs.mkdirSync(path.join(trash, 'ABCDEF')); // a hexadecimal directory is no deletion
    const reported: Array<{ name: string; ids: readonly string[] }> = [];
    const queued = await queueTrash(trash, queue, T, { onBatch: (batch) => reported.push(batch) });
    expect(queued.ids).toBe(2);
    expect(queued.files).toEqual(['1700000000']);
    expect(queued.batches.map((b) => [b.name, b.count, b.bytes.toString()])).toEqual(reported.map((b) => [b.name, b.ids.length, formatQueueText(b.ids)]));
    expect(reported.map((b) => [b.name, [...b.ids].sort()])).toEqual([['1700000000', [A, B].sort()]]);
    expect((parseQueueText(fs.readFileSync(path.join(queue, '1700000000'), 'utf8')) as string[]).sort()).toEqual([A, B].sort());
    // queued, not yet removed: a crash now queues them again, never loses them
    expect(fs.existsSync(path.join(trash, A)) && fs.existsSync(path.join(trash, B))).toBe(true);
    expect(await removeQueuedTrash(trash, queued.batches, new AbortController().signal)).toEqual({ removed: 2, failures: 0, abandoned: 0 });
    expect(fs.readdirSync(trash).sort()).toEqual(['.hidden', `${A}.tmp`, 'ABCDEF', 'queue'].sort());
  });

  it('writes no queue file and reports the error when the queue directory is gone', async () => {
    const { trash, queue } = tempPool();
    fs.writeFileSync(path.join(trash, A), '');
    fs.rmSync(queue, { recursive: true });
    expect(await queueTrash(trash, queue, T)).toEqual({ ids: 0, files: [], batches: [], error: expect.stringMatching(/ENOENT/) });
    expect(fs.existsSync(path.join(trash, A))).toBe(true);
  });

  it('item 4: queueTrash stops listing when the deleter stops: no queue file for the ids listed since the last batch, they stay in trash/', async () => {
    const { trash, queue } = tempPool();
    for (const id of [A, B]) fs.writeFileSync(path.join(trash, id), '');
    const stop = new AbortController();
    stop.abort();
    expect(await queueTrash(trash, queue, T, {}, stop.signal)).toEqual({ ids: 0, files: [], batches: [], error: null });
    expect(fs.readdirSync(queue)).toEqual([]);
    expect(fs.readdirSync(trash).sort()).toEqual([A, B, 'queue'].sort());
  });

  it('an empty trash writes no queue file', async () => {
    const { trash, queue } = tempPool();
    expect(await queueTrash(trash, queue, T)).toEqual({ ids: 0, files: [], batches: [], error: null });
    expect(fs.readdirSync(queue)).toEqual([]);
  });

  it('removal counts files already gone as nothing, a file it cannot remove as a failure', async () => {
    const { trash } = tempPool();
    fs.mkdirSync(path.join(trash, A)); // unlink of a directory fails (EISDIR or EPERM)
    const result = await removeQueuedTrash(trash, [queuedBatch('1', [A, B])], new AbortController().signal);
    expect(result).toMatchObject({ removed: 0, failures: 1, abandoned: 0 });
    expect(result.firstError).toMatch(/EISDIR|EPERM/);
  });

  it('removal stops when the deleter stops, and says how many ids it left', async () => {
    const { trash } = tempPool();
    const ids = Array.from({ length: 20_000 }, (_, n) => n.toString(16).toUpperCase().padStart(12, '0'));
    for (const id of ids) fs.closeSync(fs.openSync(path.join(trash, id), 'w'));
    const stop = new AbortController();
    setImmediate(() => stop.abort());
    const result = await removeQueuedTrash(trash, [queuedBatch('1', ids)], stop.signal);
    expect(result.removed + result.abandoned).toBe(ids.length);
    expect(result.abandoned).toBeGreaterThan(0);
    expect(fs.readdirSync(trash).length - 1).toBe(result.abandoned);
  });
});

describe('queueTrash with more than one queue file of ids', () => {
  it('writes each batch to its own complete queue file; a full filesystem ends it with the batches before; removal then empties trash/', async () => {
    const { trash, queue } = tempPool();
    const ids = Array.from({ length: QUEUE_FILE_MAX_IDS + 5 }, (_, n) => n.toString(16).toUpperCase().padStart(12, '0'));
    for (const id of ids) fs.closeSync(fs.openSync(path.join(trash, id), 'w'));

    // The filesystem fills up after the first batch: that batch is returned (to be removed), the rest stays.
    const proto = await fileHandlePrototype();
    const original = proto.writeFile;
    let writes = 0;
    const spy = vi.spyOn(proto, 'writeFile').mockImplementation(async function (this: FileHandle, data: Parameters<FileHandle['writeFile']>[0]) {
      if (++writes > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await original.call(this, data);
    });
    const partial = await queueTrash(trash, queue, T).finally(() => spy.mockRestore());
    expect(partial).toMatchObject({ ids: QUEUE_FILE_MAX_IDS, files: ['1700000000'], error: expect.stringMatching(/ENOSPC/) });
    expect(partial.batches.map((b) => b.count)).toEqual([QUEUE_FILE_MAX_IDS]);
    expect(fs.readdirSync(queue)).toEqual(['1700000000']);
    fs.rmSync(path.join(queue, '1700000000'));

    const completeAtBatch: boolean[] = [];
    const queued = await queueTrash(trash, queue, T, { onBatch: (batch) => {
      // when a batch is reported its queue file is complete
      const inFile = parseQueueText(fs.readFileSync(path.join(queue, batch.name), 'utf8')) as string[];
      completeAtBatch.push(inFile.length === batch.ids.length);
    } });
    expect(queued.ids).toBe(ids.length);
    expect(queued.files).toEqual(['1700000000', '1700000001']);
    expect(completeAtBatch).toEqual([true, true]);
    expect((await readIds(queue, queued.files)).flat().sort()).toEqual(ids);
    expect(await removeQueuedTrash(trash, queued.batches, new AbortController().signal)).toEqual({ removed: ids.length, failures: 0, abandoned: 0 });
    expect(fs.readdirSync(trash)).toEqual(['queue']);
  }, 60_000);
});
