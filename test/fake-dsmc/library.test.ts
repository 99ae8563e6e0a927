// The library API tests import, concurrent sessions, and scale.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEndEntry } from '../../src/fake-dsmc/library.js';
import { listObjects, readJournal, seedObject, seedObjects } from '../../src/fake-dsmc/library.js';
import type { Sandbox } from './helpers.js';
import { archiveArgs, deleteArgs, killAll, makeOutFiles, makeSandbox, queryArgs, removeSandbox, retrieveArgs, run, writeList, writeScenario } from './helpers.js';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox();
});

afterEach(() => {
  killAll();
  removeSandbox(box);
});

describe('seedObject / listObjects', () => {
  it('seeds objects on named volumes with increasing positions, and on the filling volume otherwise', () => {
    const a = seedObject(box.library, { path: '/p/out/A', sizeBytes: 10, volume: 'VOL7' });
    const b = seedObject(box.library, { path: '/p/out/B', sizeBytes: 20, volume: 'VOL7' });
    const c = seedObject(box.library, { path: '/p/out/C', content: 'abc' });
    expect([a, b, c].map((object) => [object.id, object.sizeBytes, object.volume, object.volumeId, object.position])).toEqual([
      ['A', 10, 'VOL7', 100_001, 1],
      ['B', 20, 'VOL7', 100_001, 2],
      ['C', 3, 'L00001L8', 100_002, 1],
    ]);
    expect(listObjects(box.library)).toEqual([a, b, c]);
    expect(Object.keys(a).sort()).toEqual(['archivedAtMs', 'description', 'id', 'path', 'position', 'seq', 'sizeBytes', 'volume', 'volumeId']);
  });

  it('refuses unsafe paths and inconsistent sizes', () => {
    expect(() => seedObject(box.library, { path: 'rel/A', sizeBytes: 1 })).toThrow(/safe absolute path/);
    expect(() => seedObject(box.library, { path: '/p/A', sizeBytes: 2, content: 'abc' })).toThrow(/3 bytes, not 2/);
    expect(() => seedObject(box.library, { path: '/p/A' })).toThrow(/sizeBytes or content/);
  });

  it('reads the journal from the library dir or a path', async () => {
    await run(queryArgs('/nowhere/*'), box.env);
    const fromDir = readJournal(box.library);
    expect(fromDir.map((entry) => entry.event)).toEqual(['start', 'end']);
    expect(readJournal(join(box.library, 'journal.jsonl'))).toEqual(fromDir);
    expect(readJournal(join(box.root, 'missing.jsonl'))).toEqual([]);
  });
});

describe('concurrency', () => {
  it('gives parallel archive sessions unique objects and tape positions', async () => {
    writeScenario(box, { filesPerVolume: 5 });
    const lists = [0, 1, 2, 3].map((session) =>
      writeList(box, makeOutFiles(box, Array.from({ length: 25 }, (_, i) => ({ id: `0${session}${String(i).padStart(2, '0')}`, size: 3 })))),
    );
    const results = await Promise.all(lists.map((list) => run(archiveArgs(list), box.env)));
    expect(results.map((result) => result.rc)).toEqual([0, 0, 0, 0]);
    const objects = listObjects(box.library);
    expect(objects).toHaveLength(100);
    expect(new Set(objects.map((object) => object.seq)).size).toBe(100);
    expect(new Set(objects.map((object) => `${object.volume}/${object.position}`)).size).toBe(100);
    const perVolume = new Map<string, number>();
    for (const object of objects) perVolume.set(object.volume, (perVolume.get(object.volume) ?? 0) + 1);
    expect([...perVolume.values()].every((count) => count === 5)).toBe(true);
    expect(readdirSync(box.out)).toEqual([]);
  });

  it('runs retrieves in parallel with an archive', async () => {
    const seeded = Array.from({ length: 40 }, (_, i) => ({ path: join(box.out, `0E${String(i).padStart(2, '0')}`), sizeBytes: 100 + i }));
    seedObjects(box.library, seeded);
    const halves = [seeded.slice(0, 20), seeded.slice(20)].map((part) => writeList(box, part.map((spec) => spec.path)));
    const fresh = makeOutFiles(box, [{ id: '0F01', size: 9 }]);
    const results = await Promise.all([...halves.map((list) => run(retrieveArgs(list, box.in), box.env)), run(archiveArgs(writeList(box, fresh)), box.env)]);
    expect(results.map((result) => result.rc)).toEqual([0, 0, 0]);
    expect(readdirSync(box.in)).toHaveLength(40);
    expect(statSync(join(box.in, '0E39')).size).toBe(139);
    expect(listObjects(box.library)).toHaveLength(41);
  });

  it('breaks a lock left by a killed process', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    seedObject(box.library, { path: join(box.out, '0G00'), sizeBytes: 1 });
    writeFileSync(join(box.library, 'lock'), String(dead));
    const result = await run(archiveArgs(writeList(box, makeOutFiles(box, [{ id: '0G01', size: 1 }]))), box.env);
    expect(result.rc).toBe(0);
    expect(listObjects(box.library)).toHaveLength(2);
  });
});

describe('scale', () => {
  it('retrieves 10,000 listed files from a 100,000-object library in one session', async () => {
    const specs = Array.from({ length: 100_000 }, (_, i) => ({
      path: join(box.out, i.toString(16).toUpperCase().padStart(36, '0')),
      sizeBytes: i % 1000,
      volume: `V${String(Math.floor(i / 100)).padStart(4, '0')}`,
    }));
    const seeded = seedObjects(box.library, specs);
    const wanted = specs.filter((_, i) => i % 10 === 0).map((spec) => spec.path);
    const result = await run(retrieveArgs(writeList(box, wanted), box.in), box.env);
    expect(result.rc).toBe(0);
    expect(readdirSync(box.in)).toHaveLength(10_000);
    expect(result.stdout).toContain('ANS1898I ***** Processed    10,000 files *****');
    const end = readJournal(box.library).at(-1) as JournalEndEntry;
    expect(end.done).toHaveLength(10_000);
    // ids 0xF0..0xFF, all on volume V0002
    const query = await run(queryArgs(`${box.out}/${'0'.repeat(34)}F?`), box.env);
    expect(query.rc).toBe(0);
    const v0002 = seeded.find((object) => object.volume === 'V0002')?.volumeId;
    expect(v0002).toBe(100_003); // the third volume seeded
    expect(query.stdout.match(new RegExp(`Volume ID: ${v0002} `, 'g'))).toHaveLength(16);
    expect(readFileSync(join(box.library, 'journal.jsonl'), 'utf8').split('\n').length).toBeGreaterThan(2);
  }, 120_000);

  it("fault: a catalog past V8's longest string (ten million objects) failed every retrieve and delete session (rc 12)", async () => {
    const [a, b] = seedObjects(box.library, [
      { path: join(box.out, '0H01'), content: 'first' },
      { path: join(box.out, '0H02'), sizeBytes: 7 },
    ]);
    // 600 MB of garbage lines (a sparse hole: no disk space), then more objects appended
    const catalog = join(box.library, 'catalog.jsonl');
    const holeEnd = 600 * 1024 * 1024;
    const fd = openSync(catalog, 'r+');
    for (let at = statSync(catalog).size + 8 * 1024 * 1024; at < holeEnd; at += 8 * 1024 * 1024) writeSync(fd, '\n', at);
    writeSync(fd, '\n', holeEnd);
    closeSync(fd);
    const [c] = seedObjects(box.library, [{ path: join(box.out, '0H03'), content: 'third' }]);
    const result = await run(retrieveArgs(writeList(box, [a, c].map((object) => object?.path ?? '')), box.in), box.env);
    expect(result.stderr).toBe('');
    expect(result.rc).toBe(0);
    expect(readFileSync(join(box.in, '0H01'), 'utf8')).toBe('first');
    expect(readFileSync(join(box.in, '0H03'), 'utf8')).toBe('third');
    const deleted = await run(deleteArgs(writeList(box, [b?.path ?? ''])), box.env);
    expect(deleted.rc).toBe(0);
    expect(listObjects(box.library).map((object) => object.id)).toEqual(['0H01', '0H03']);
  }, 120_000);
});
