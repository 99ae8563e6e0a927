import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DcacheSide, TAKE_DELAY_MS } from '../../src/cli/demo/demo-dcache.js';
import { countRecallMounts, countSessions, describeJournalEntry } from '../../src/cli/demo/demo-journal.js';
import { planDemo, planTotalBytes } from '../../src/cli/demo/demo-plan.js';
import { demoConfigText, planDemoPaths } from '../../src/cli/demo/demo-setup.js';
import { countDeleted, formatDemoSummary } from '../../src/cli/demo/demo-summary.js';
import { parseMainConfig } from '../../src/core/config/index.js';
import type { JournalEntry, LibraryObject } from '../../src/fake-dsmc/library.js';
import { hexId } from './helpers.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function tempPool(): { dir: string; store: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-demo-test-'));
  roots.push(root);
  const dir = path.join(root, 'pool');
  for (const sub of ['out', 'in', 'request', 'trash']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.mkdirSync(path.join(root, 'store'));
  return { dir, store: path.join(root, 'store') };
}

const file = (n: number, sizeBytes: number) => ({ id: hexId(n), sizeBytes, path: `/demo/f${n}` });

describe('demo plan', () => {
  it('is reproducible from its seed, spreads recalls and keeps removals apart from them', () => {
    const plan = planDemo(42);
    expect(planDemo(42)).toEqual(plan);
    expect(planDemo(43)).not.toEqual(plan);
    const files = plan.waves.flat();
    expect(files).toHaveLength(36);
    expect(plan.waves).toHaveLength(4);
    expect(new Set(files.map((f) => f.id)).size).toBe(36);
    for (const f of files) expect(f.id).toMatch(/^[0-9A-F]{36}$/);
    expect(plan.recalls).toHaveLength(12);
    // Every third file in flush order: with six files per volume, two from each volume.
    expect(plan.recalls.map((r) => files.indexOf(r))).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34]);
    expect(plan.removals).toHaveLength(8);
    expect(plan.removals.filter((r) => plan.recalls.includes(r))).toEqual([]);
    expect(files.map((f) => f.id)).not.toContain(plan.missing.id);
    expect(Math.min(...files.map((f) => f.sizeBytes))).toBeGreaterThanOrEqual(1024);
    expect(Math.max(...files.map((f) => f.sizeBytes))).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(planTotalBytes(files)).toBeLessThan(300 * 1024 * 1024);
  });

  it('writes a configuration the daemons accept', () => {
    const text = demoConfigText(planDemoPaths('/tmp/demo-x'));
    const parsed = parseMainConfig(text, 'demo.conf');
    expect(parsed.ok && parsed.warnings).toEqual([]);
    expect(parsed.ok && parsed.snapshot.values).toMatchObject({ sleeptime: 1, retriever_buffersize: 1, retriever_hintfile: '/tmp/demo-x/tapehints.json', dir: '/tmp/demo-x/pool' });
  });
});

describe('demo dCache side', () => {
  it('flushes like the plugin: request, hard link in out/, request removed once out/<id> is gone', () => {
    const pool = tempPool();
    const dcache = new DcacheSide(pool, 4242, () => 1_700_000_000_000);
    const f = file(1, 5000);
    dcache.flush(f);
    const request = JSON.parse(fs.readFileSync(path.join(pool.dir, 'request', f.id), 'utf8'));
    expect(request).toMatchObject({ file_size: 5000, action: 'migrate', path: f.path, time: 1_700_000_000, checksumType: 'md5' });
    expect(request.checksumValue).toMatch(/^[0-9a-f]{32}$/);
    expect(fs.statSync(path.join(pool.dir, 'out', f.id)).ino).toBe(fs.statSync(path.join(pool.store, f.id)).ino);
    expect(dcache.poll()).toEqual([]);
    fs.rmSync(path.join(pool.dir, 'out', f.id));
    expect(dcache.poll()).toEqual([{ kind: 'flushed', file: f }]);
    expect(fs.existsSync(path.join(pool.dir, 'request', f.id))).toBe(false);
    expect(dcache.pendingFlushes).toBe(0);
    expect(dcache.flushed).toEqual([f]);
  });

  it('takes a recalled file only when complete: request removed, moved about 1 s later, checksum checked', () => {
    const pool = tempPool();
    let nowMs = 1_700_000_000_000;
    const dcache = new DcacheSide(pool, 4242, () => nowMs);
    const good = file(1, 3000);
    const bad = file(2, 3000);
    for (const f of [good, bad]) dcache.flush(f);
    const data = new Map([good, bad].map((f) => [f.id, fs.readFileSync(path.join(pool.store, f.id))]));
    for (const f of [good, bad]) {
      fs.rmSync(path.join(pool.dir, 'out', f.id));
      dcache.evict(f);
    }
    dcache.poll();
    for (const f of [good, bad]) dcache.recall(f);
    expect(JSON.parse(fs.readFileSync(path.join(pool.dir, 'request', good.id), 'utf8'))).toMatchObject({ action: 'recall', parent_pid: 4242, file_size: 3000 });
    fs.writeFileSync(path.join(pool.dir, 'in', good.id), (data.get(good.id) as Buffer).subarray(0, 1000));
    expect(dcache.poll()).toEqual([]);
    expect(fs.existsSync(path.join(pool.dir, 'request', good.id))).toBe(true);
    fs.writeFileSync(path.join(pool.dir, 'in', good.id), data.get(good.id) as Buffer);
    fs.writeFileSync(path.join(pool.dir, 'in', bad.id), Buffer.alloc(3000));
    expect(dcache.poll()).toEqual([]);
    // Complete: the requests go at once, the files stay in in/ for about a second.
    expect(fs.readdirSync(path.join(pool.dir, 'request'))).toEqual([]);
    expect(fs.readdirSync(path.join(pool.dir, 'in')).sort()).toEqual([good.id, bad.id].sort());
    expect(dcache.pendingRecalls).toBe(2);
    nowMs += TAKE_DELAY_MS;
    expect(dcache.poll()).toEqual([
      { kind: 'recalled', file: good, checksumOk: true },
      { kind: 'recalled', file: bad, checksumOk: false },
    ]);
    expect(dcache.checksumErrors).toBe(1);
    expect(dcache.pendingRecalls).toBe(0);
    expect(fs.readdirSync(path.join(pool.dir, 'in'))).toEqual([]);
    expect(fs.readFileSync(path.join(pool.store, good.id))).toEqual(data.get(good.id));
  });

  it('takes an already complete in/<id> without writing a request', () => {
    const pool = tempPool();
    const dcache = new DcacheSide(pool, 4242, () => 5);
    const f = file(4, 10);
    fs.writeFileSync(path.join(pool.dir, 'in', f.id), Buffer.alloc(10));
    dcache.recall(f);
    expect(fs.readdirSync(path.join(pool.dir, 'request'))).toEqual([]);
    expect(dcache.poll()).toEqual([{ kind: 'recalled', file: f, checksumOk: false }]);
    expect(fs.readdirSync(pool.store)).toEqual([f.id]);
  });

  it('fails a recall on .err: reads it, removes in/<id>, the .err and the request', () => {
    const pool = tempPool();
    const dcache = new DcacheSide(pool, 4242, () => 1);
    const f = file(9, 100);
    dcache.recall(f);
    fs.writeFileSync(path.join(pool.dir, 'in', f.id), 'partial');
    fs.writeFileSync(path.join(pool.dir, 'request', `${f.id}.err`), 'ANS1345E No objects on the server match\n');
    expect(dcache.poll()).toEqual([{ kind: 'recall-failed', file: f, error: 'ANS1345E No objects on the server match' }]);
    expect(fs.readdirSync(path.join(pool.dir, 'request'))).toEqual([]);
    expect(fs.readdirSync(path.join(pool.dir, 'in'))).toEqual([]);
    expect(dcache.pendingRecalls).toBe(0);
  });

  it('removes by writing trash/<id> with the osm URI', async () => {
    const pool = tempPool();
    const dcache = new DcacheSide(pool, 1, () => 1);
    const f = file(3, 10);
    dcache.flush(f);
    await dcache.remove(f);
    expect(fs.readFileSync(path.join(pool.dir, 'trash', f.id), 'utf8')).toBe(`osm://demo/?store=demo&group=tape&bfid=${f.id}\n`);
    expect(fs.readdirSync(path.join(pool.dir, 'trash'))).toEqual([f.id]);
    expect(fs.existsSync(path.join(pool.store, f.id))).toBe(false);
  });
});

describe('demo journal and summary', () => {
  const hints = new Map([
    [hexId(1), { volid: 'L00001L8', order: '1' }],
    [hexId(2), { volid: 'L00002L8', order: '1' }],
  ]);
  const start = (pid: number, command: 'archive' | 'retrieve' | 'delete' | 'query', ids: string[]): JournalEntry => ({
    event: 'start',
    timeMs: 1,
    pid,
    command,
    argv: [],
    action: 'normal',
    listLength: ids.length,
    ids,
  });
  const journal: JournalEntry[] = [
    start(1, 'archive', [hexId(1), hexId(2)]),
    { event: 'end', timeMs: 2, pid: 1, command: 'archive', rc: 0, outcome: 'ok', done: [hexId(1), hexId(2)], failed: [] },
    start(2, 'query', []),
    start(3, 'retrieve', [hexId(1)]),
    start(4, 'retrieve', [hexId(2)]),
    start(5, 'retrieve', [hexId(99)]),
    start(6, 'retrieve', [hexId(1)]),
    start(7, 'delete', [hexId(2)]),
  ];

  it('counts sessions per program and recall mounts per volume', () => {
    expect(countSessions(journal)).toEqual({ archiver: 1, retriever: 4, deleter: 1, tapehints: 1 });
    expect(countRecallMounts(journal, hints)).toEqual([
      ['L00001L8', 2],
      ['L00002L8', 1],
      ['default', 1],
    ]);
  });

  it('describes sessions for the progress lines', () => {
    const starts = new Map([[3, journal[3] as Extract<JournalEntry, { event: 'start' }>]]);
    expect(describeJournalEntry(journal[3] as JournalEntry, starts, hints)).toBe('dsmc retrieve started (pid 3) from volume L00001L8: 1 file');
    const end: JournalEntry = { event: 'end', timeMs: 3, pid: 3, command: 'retrieve', rc: 12, outcome: 'partial', done: [], failed: [hexId(1)] };
    expect(describeJournalEntry(end, starts, hints)).toBe('dsmc retrieve ended (volume L00001L8): rc 12, 0 done, 1 failed');
  });

  it('sums up files, sessions, mounts and what the library holds', () => {
    const object = (n: number, volume: string): LibraryObject => ({ seq: n, path: `/p/out/${hexId(n)}`, id: hexId(n), sizeBytes: 1, volume, volumeId: 100_000 + n, position: n, description: 'd', archivedAtMs: 1 });
    const library = [object(1, 'L00001L8'), object(2, 'L00002L8')];
    const removed = [file(2, 10), file(3, 10)];
    expect(countDeleted(removed, library)).toBe(1);
    const text = formatDemoSummary({
      flushed: [file(1, 1024), file(2, 2048)],
      recalled: [file(1, 1024)],
      checksumErrors: 0,
      failed: [{ file: file(99, 5), error: 'ANS1345E nope' }],
      deleted: 1,
      removed: 2,
      sessions: countSessions(journal),
      recallMounts: countRecallMounts(journal, hints),
      library,
    });
    expect(text).toMatch(/^flushed to tape\s+2 files, 3\.0 KiB$/m);
    expect(text).toMatch(/^recalled\s+1 file, 1\.0 KiB \(checksums verified\)$/m);
    expect(text).toMatch(/^failed with \.err\s+1 file$/m);
    expect(text).toMatch(/^deleted from tape\s+1 file of 2 removed$/m);
    expect(text).toMatch(/^dsmc sessions\s+archiver 1, retriever 4, deleter 1, tapehints 1$/m);
    expect(text).toMatch(/^recall mounts\s+L00001L8 2, L00002L8 1, default 1$/m);
    expect(text).toMatch(/^library now\s+2 objects on 2 volumes$/m);
    expect(text).toContain(`.err: ${hexId(99)}: ANS1345E nope`);
  });
});
