// The built fake dsmc run as a process against temporary directories.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEndEntry, JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { listObjects, readJournal, seedObject } from '../../src/fake-dsmc/library.js';
import type { Sandbox } from './helpers.js';
import {
  archiveArgs,
  deleteArgs,
  killAll,
  makeOutFiles,
  makeSandbox,
  parseQueryListing,
  patternBytes,
  queryArgs,
  removeSandbox,
  retrieveArgs,
  run,
  writeList,
  writeScenario,
} from './helpers.js';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox();
});

afterEach(() => {
  killAll();
  removeSandbox(box);
});

const SIX = [
  { id: '00A1', size: 1000 },
  { id: '00A2', size: 2000 },
  { id: '00A3', size: 3000 },
  { id: '00A4', size: 0 },
  { id: '00A5', size: 123_456 },
  { id: '00A6', size: 6 },
];

async function archiveSix(): Promise<string[]> {
  const paths = makeOutFiles(box, SIX);
  const result = await run(archiveArgs(writeList(box, paths)), box.env);
  expect(result.rc).toBe(0);
  return paths;
}

describe('archive', () => {
  it('moves listed files into the library, removes them, and fills volumes of 4', async () => {
    const paths = makeOutFiles(box, SIX);
    const result = await run(archiveArgs(writeList(box, paths), 'ENDIT-2024-01-02T03:04:05+0100'), box.env);
    expect(result.rc).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('IBM Storage Protect');
    expect(result.stdout).toContain('Archive function invoked.');
    expect(result.stdout).toContain(`Normal File-->           123,456 ${paths[4]} [Sent]`);
    expect(result.stdout).toMatch(/^Total number of objects archived: +6$/m);
    for (const path of paths) expect(existsSync(path)).toBe(false);
    const objects = listObjects(box.library);
    expect(objects.map((object) => [object.id, object.sizeBytes, object.volume, object.volumeId, object.position])).toEqual([
      ['00A1', 1000, 'L00001L8', 100_001, 1],
      ['00A2', 2000, 'L00001L8', 100_001, 2],
      ['00A3', 3000, 'L00001L8', 100_001, 3],
      ['00A4', 0, 'L00001L8', 100_001, 4],
      ['00A5', 123_456, 'L00002L8', 100_002, 1],
      ['00A6', 6, 'L00002L8', 100_002, 2],
    ]);
    expect(objects[0]).toMatchObject({ path: paths[0], description: 'ENDIT-2024-01-02T03:04:05+0100' });
    expect(objects[0]?.archivedAtMs).toBeGreaterThan(Date.now() - 600_000);
  });

  it('continues the current volume in the next session', async () => {
    await archiveSix();
    const more = makeOutFiles(box, [{ id: '00B1', size: 1 }, { id: '00B2', size: 1 }, { id: '00B3', size: 1 }]);
    expect((await run(archiveArgs(writeList(box, more)), box.env)).rc).toBe(0);
    expect(listObjects(box.library).slice(6).map((object) => [object.volume, object.position])).toEqual([
      ['L00002L8', 3],
      ['L00002L8', 4],
      ['L00003L8', 1],
    ]);
  });

  it('reports a missing file with ANS4005E and rc 4, archiving the others', async () => {
    const [path] = makeOutFiles(box, [{ id: '00C1', size: 10 }]);
    const missing = join(box.out, '00C2');
    const result = await run(archiveArgs(writeList(box, [missing, path ?? ''])), box.env);
    expect(result.rc).toBe(4);
    expect(result.stderr).toContain(`ANS4005E Error processing '${missing}': file not found`);
    expect(listObjects(box.library).map((object) => object.id)).toEqual(['00C1']);
  });

  it('copies without -deletefiles and keeps the source', async () => {
    const [path = ''] = makeOutFiles(box, [{ id: '00D1', size: 100 }]);
    const result = await run(['archive', `-filelist=${writeList(box, [path])}`], box.env);
    expect(result.rc).toBe(0);
    expect(readFileSync(path)).toEqual(patternBytes('00D1', 100));
    expect(listObjects(box.library)[0]?.description).toMatch(/^Archive Date: \d\d\/\d\d\/\d{4}$/);
  });

  it('archives the same path twice as two objects', async () => {
    for (let i = 0; i < 2; i += 1) {
      const paths = makeOutFiles(box, [{ id: '00E1', size: 5 }]);
      expect((await run(archiveArgs(writeList(box, paths)), box.env)).rc).toBe(0);
    }
    expect(listObjects(box.library).map((object) => object.id)).toEqual(['00E1', '00E1']);
  });

  it('refuses relative and .. paths without touching them', async () => {
    const [path = ''] = makeOutFiles(box, [{ id: '00F1', size: 5 }]);
    const sneaky = `${box.out}/../out/00F1`;
    const result = await run(archiveArgs(writeList(box, [sneaky, 'pool/out/00F1'])), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toContain(`ANS1081E Invalid search file specification '${sneaky}' entered`);
    expect(result.stderr).toContain("ANS1081E Invalid search file specification 'pool/out/00F1' entered");
    expect(existsSync(path)).toBe(true);
    expect(listObjects(box.library)).toEqual([]);
  });
});

describe('retrieve', () => {
  it('restores files with the right size and content, in list order', async () => {
    const paths = await archiveSix();
    const order = [paths[5], paths[0], paths[4], paths[3]].map(String);
    const result = await run(retrieveArgs(writeList(box, order), box.in), box.env);
    expect(result.rc).toBe(0);
    expect(result.stdout).toContain('Retrieve function invoked.');
    expect(result.stdout).toContain('ANS1247I Waiting for files from the server...');
    const retrieved = [...result.stdout.matchAll(/^Retrieving +[\d,]+ (\S+) --> (\S+) \[Done\]$/gm)].map((match) => match[1]);
    expect(retrieved).toEqual(order);
    expect(result.stdout).toContain(`Retrieving    123,456 ${paths[4]} --> ${join(box.in, '00A5')} [Done]`);
    for (const { id, size } of [SIX[5], SIX[0], SIX[4], SIX[3]].map((spec) => spec ?? { id: '', size: 0 })) {
      expect(readFileSync(join(box.in, id))).toEqual(patternBytes(id, size));
    }
    expect(existsSync(join(box.in, '00A2'))).toBe(false);
    expect(result.stdout).toMatch(/^Total number of objects retrieved: +4$/m);
  });

  it('fails an unknown path with ANS1345E and rc 12 while the others land', async () => {
    const paths = await archiveSix();
    const unknown = join(box.out, '00FF');
    const result = await run(retrieveArgs(writeList(box, [String(paths[0]), unknown, String(paths[1])]), box.in), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toBe(`ANS1345E No objects on the server match '${unknown}'\n`);
    expect(statSync(join(box.in, '00A1')).size).toBe(1000);
    expect(statSync(join(box.in, '00A2')).size).toBe(2000);
  });

  it('skips an existing destination under -replace=no with rc 4', async () => {
    const paths = await archiveSix();
    writeFileSync(join(box.in, '00A1'), 'old');
    const result = await run(retrieveArgs(writeList(box, [String(paths[0]), String(paths[1])]), box.in), box.env);
    expect(result.rc).toBe(4);
    expect(result.stdout).toContain(`Skipped '${paths[0]}' --> '${join(box.in, '00A1')}': file exists (-replace=no)`);
    expect(readFileSync(join(box.in, '00A1'), 'utf8')).toBe('old');
    expect(statSync(join(box.in, '00A2')).size).toBe(2000);
    const end = readJournal(box.library).at(-1) as JournalEndEntry;
    expect(end).toMatchObject({ rc: 4, outcome: 'partial', done: ['00A2'], failed: [], skipped: ['00A1'] });
  });

  it('retrieves the first archived copy of a path', async () => {
    const path = join(box.out, '00AA');
    seedObject(box.library, { path, content: 'first' });
    seedObject(box.library, { path, content: 'second!' });
    expect((await run(retrieveArgs(writeList(box, [path]), box.in), box.env)).rc).toBe(0);
    expect(readFileSync(join(box.in, '00AA'), 'utf8')).toBe('first');
  });

  it('retrieves sparse seeded objects as zeros and creates a missing destination dir', async () => {
    const path = join(box.out, '00AB');
    seedObject(box.library, { path, sizeBytes: 5000 });
    const dest = join(box.root, 'elsewhere');
    expect((await run(retrieveArgs(writeList(box, [path]), dest), box.env)).rc).toBe(0);
    expect(readFileSync(join(dest, '00AB'))).toEqual(Buffer.alloc(5000));
  });
});

describe('delete archive', () => {
  it('removes every object of each listed path', async () => {
    const paths = await archiveSix();
    const again = makeOutFiles(box, [{ id: '00A1', size: 7 }]);
    await run(archiveArgs(writeList(box, again)), box.env);
    const result = await run(deleteArgs(writeList(box, [String(paths[0]), String(paths[2])])), box.env);
    expect(result.rc).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Delete Archive function invoked.');
    expect(result.stdout).toMatch(/^Total number of objects deleted: +3$/m);
    expect(result.stdout).toMatch(/^Total number of objects failed: +0$/m);
    expect(listObjects(box.library).map((object) => object.id)).toEqual(['00A2', '00A4', '00A5', '00A6']);
  });

  it('reports ANS1345E for a path without objects (rc 12) and deletes the rest', async () => {
    const paths = await archiveSix();
    const gone = join(box.out, '00DD');
    const result = await run(deleteArgs(writeList(box, [gone, String(paths[1])])), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toBe(`ANS1345E No objects on the server match '${gone}'\n`);
    expect(listObjects(box.library).map((object) => object.id)).not.toContain('00A2');
  });

  it('adds ANS1302E when nothing matched', async () => {
    await archiveSix();
    const result = await run(deleteArgs(writeList(box, [join(box.out, '00DD'), join(box.out, '00DE')])), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toContain('ANS1302E No objects on server match query');
    expect(result.stderr.match(/ANS1345E/g)).toHaveLength(2);
    expect(listObjects(box.library)).toHaveLength(6);
  });
  it('records every deletion it reported before it dies mid-session, and leaves the objects it did not report whole', async () => {
    const paths = await archiveSix();
    writeScenario(box, { rules: [{ command: 'delete', action: 'crash', afterFiles: 3, signal: 'SIGKILL' }] });
    const result = await run(deleteArgs(writeList(box, paths)), box.env);
    expect(result.signal).toBe('SIGKILL');
    const reported = [...result.stdout.matchAll(/^Deleting +[\d,]+ (\S+) \[Done\]$/gm)].map((match) => String(match[1]));
    expect(reported).toEqual(paths.slice(0, 3));
    const left = listObjects(box.library);
    expect(left.map((object) => object.path)).toEqual(paths.slice(3));
    writeScenario(box, { rules: [] });
    const dest = join(box.root, 'back');
    expect((await run(retrieveArgs(writeList(box, paths.slice(3)), dest), box.env)).rc).toBe(0);
    for (const object of left) expect(statSync(join(dest, object.id)).size).toBe(object.sizeBytes);
  });
});

describe('query archive', () => {
  it('lists every object with its numeric Volume ID (not the label) and restore order', async () => {
    await archiveSix();
    seedObject(box.library, { path: join(box.root, 'other/out/00X1'), sizeBytes: 1 });
    const result = await run(queryArgs(`${box.out}/*`), box.env);
    expect(result.rc).toBe(0);
    expect(result.stdout).toContain('             Size  Archive Date - Time    File - Expires on - Description');
    const listing = parseQueryListing(result.stdout, box.out);
    expect(listing.map((entry) => [entry.id, entry.size, entry.volume])).toEqual([
      ['00A1', 1000, '100001'],
      ['00A2', 2000, '100001'],
      ['00A3', 3000, '100001'],
      ['00A4', 0, '100001'],
      ['00A5', 123_456, '100002'],
      ['00A6', 6, '100002'],
    ]);
    const orders = listing.map((entry) => entry.order);
    expect([...orders].sort()).toEqual(orders);
    expect(result.stdout).toContain('Never ENDIT-2024-01-02T03:04:05+0100');
  });

  it('says ANS1092W with rc 8 when nothing matches', async () => {
    const result = await run(queryArgs(`${box.out}/*`), box.env);
    expect(result.rc).toBe(8);
    expect(result.stderr).toBe('ANS1092W No files matching search criteria were found\n');
    expect(result.stdout).not.toContain('Size  Archive Date');
  });
});

describe('journal', () => {
  it('records start and end of each session', async () => {
    const paths = await archiveSix();
    const list = writeList(box, [String(paths[0]), join(box.out, '00ZZ')]);
    await run(retrieveArgs(list, box.in), box.env);
    const entries = readJournal(box.library);
    expect(entries.map((entry) => `${entry.event}:${'command' in entry ? entry.command : ''}`)).toEqual(['start:archive', 'end:archive', 'start:retrieve', 'end:retrieve']);
    const [archiveStart, archiveEnd, retrieveStart, retrieveEnd] = entries as [JournalStartEntry, JournalEndEntry, JournalStartEntry, JournalEndEntry];
    expect(archiveStart).toMatchObject({ listLength: 6, ids: SIX.map((spec) => spec.id), description: 'ENDIT-2024-01-02T03:04:05+0100', action: 'normal' });
    expect(archiveStart.argv[0]).toBe('archive');
    expect(archiveEnd).toMatchObject({ rc: 0, outcome: 'ok', done: SIX.map((spec) => spec.id), failed: [] });
    expect(retrieveStart).toMatchObject({ listFile: list, listLength: 2, ids: ['00A1', '00ZZ'], destDir: `${box.in}/` });
    expect(retrieveEnd).toMatchObject({ rc: 12, outcome: 'partial', done: ['00A1'], failed: ['00ZZ'] });
    expect(retrieveEnd.pid).toBe(retrieveStart.pid);
    expect(retrieveEnd.timeMs).toBeGreaterThanOrEqual(retrieveStart.timeMs);
  });

  it('a start entry says when its process began, before it loaded its code (the bench times the daemon to it)', async () => {
    const beforeMs = Date.now();
    await run(queryArgs(`${box.out}/*`), box.env);
    const [started] = readJournal(box.library);
    if (started?.event !== 'start') throw new Error('no start entry');
    expect(started.spawnedMs).toBeGreaterThanOrEqual(beforeMs - 5); // timeOrigin and Date.now() may differ by a rounding
    expect(started.spawnedMs).toBeLessThanOrEqual(started.timeMs);
  });

  it('honours FAKE_DSMC_JOURNAL', async () => {
    const journal = join(box.root, 'elsewhere.jsonl');
    await run(queryArgs(`${box.out}/*`), { ...box.env, FAKE_DSMC_JOURNAL: journal });
    expect(readJournal(journal).map((entry) => entry.event)).toEqual(['start', 'end']);
    expect(readJournal(box.library)).toEqual([]);
  });
});

describe('bad invocations and environment', () => {
  it('rejects an unknown command with ANS1107E and rc 12', async () => {
    const result = await run(['restore', '-filelist=/x'], box.env);
    expect(result).toMatchObject({ rc: 12, stderr: "ANS1107E Invalid option/value: 'restore'\n" });
    expect(readJournal(box.library)).toMatchObject([{ event: 'start', command: 'unknown' }, { event: 'end', rc: 12, outcome: 'failed' }]);
  });

  it('rejects an unreadable file list', async () => {
    const result = await run(archiveArgs(join(box.lists, 'nope')), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toContain('ANS1107E');
  });

  it('acts like an unreachable server without FAKE_DSMC_LIBRARY', async () => {
    const { FAKE_DSMC_LIBRARY: _library, ...env } = box.env;
    const result = await run(queryArgs(`${box.out}/*`), env);
    expect(result).toMatchObject({ rc: 12, stderr: 'ANS1017E Session rejected: TCP/IP connection failure\n' });
  });

  it('exits 12 on a broken scenario file, naming the problem', async () => {
    writeFileSync(box.scenario, '{"rules": [');
    const broken = await run(queryArgs(`${box.out}/*`), box.env);
    expect(broken.rc).toBe(12);
    expect(broken.stderr).toMatch(/^fake-dsmc: scenario .*scenario\.json: not valid JSON/);
    writeScenario(box, { rules: [{ action: 'nap' }] });
    expect((await run(queryArgs(`${box.out}/*`), box.env)).stderr).toContain('rules[0].action: expected one of');
  });

  it('moves messages to stdout with messagesOn: stdout', async () => {
    writeScenario(box, { messagesOn: 'stdout' });
    const result = await run(queryArgs(`${box.out}/*`), box.env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/\nANS1092W No files matching search criteria were found\n$/);
  });
});
