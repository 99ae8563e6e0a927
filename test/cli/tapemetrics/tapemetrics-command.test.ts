import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionHistoryRecord } from '../../../src/cli/tapemetrics/session-record.js';
import { endit, hexId } from '../helpers.js';
import { sessionRecord } from './records.js';

const NOW = '2025-06-02T00:00:00Z';
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function tempDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-tapemetrics-'));
  roots.push(root);
  return root;
}

/** JSON lines of records; each its own session (its own pid), as the daemons write them. */
let nextPid = 1000;
const jsonl = (records: Array<Partial<SessionHistoryRecord>>): string => records.map((r) => `${JSON.stringify(sessionRecord({ pid: nextPid++, ...r }))}\n`).join('');

function write(file: string, text: string | Buffer): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

interface Share {
  name: string;
  readbytes24h: number;
  writebytes24h: number;
  totalmounts24h: number;
  uniquemounts24h: number;
  usedsize?: number;
}

function sharesOf(out: string): Record<string, Share> {
  const shares = (JSON.parse(out) as { storageservice: { storageshares: Share[] } }).storageservice.storageshares;
  return Object.fromEntries(shares.map((s) => [s.name, s]));
}

describe('endit tapemetrics', () => {
  it("reads a directory's sessions files and their rotated copies (.1, .2.gz), nothing else, and a file given twice once", async () => {
    const dir = tempDir();
    write(path.join(dir, 'tsmretriever-sessions.jsonl'), jsonl([{ bytes: 1, volume: 'A' }]));
    write(path.join(dir, 'tsmretriever-sessions.jsonl.1'), jsonl([{ bytes: 10, volume: 'B' }]));
    write(path.join(dir, 'tsmarchiver-sessions.jsonl.2.gz'), zlib.gzipSync(jsonl([{ daemon: 'archiver', volume: null, bytes: 100 }])));
    write(path.join(dir, 'tsmretriever.log'), jsonl([{ bytes: 1000 }]));
    write(path.join(dir, 'tsmretriever-sessions.jsonl.bak'), jsonl([{ bytes: 10000 }]));
    const { code, out, err } = await endit(['tapemetrics', '--now', NOW, dir, path.join(dir, 'tsmretriever-sessions.jsonl')]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(sharesOf(out)['pool1']).toMatchObject({ readbytes24h: 11, writebytes24h: 100, totalmounts24h: 2, uniquemounts24h: 2 });
  });

  it('names a bad line with its file and number on standard error and counts the rest (exit 0)', async () => {
    const file = write(path.join(tempDir(), 'host1', 'tsmretriever-sessions.jsonl'), `${jsonl([{ bytes: 5 }])}{"daemon":"retriever"}\nnot json\n${jsonl([{ bytes: 7 }])}`);
    const { code, out, err } = await endit(['tapemetrics', '--now', NOW, file]);
    expect(code).toBe(0);
    expect(err).toBe(`endit tapemetrics: warning: ${file}: 2 lines are no session record, skipped (first: line 2: time: Invalid input: expected string, received undefined)\n`);
    expect(sharesOf(out)['pool1']?.readbytes24h).toBe(12);
  });

  it('names a path it cannot read, still prints the figures of the rest, and exits 1', async () => {
    const root = tempDir();
    const good = write(path.join(root, 'host1', 'tsmretriever-sessions.jsonl'), jsonl([{ bytes: 5 }]));
    const missing = path.join(root, 'host2');
    const empty = path.join(root, 'host3');
    fs.mkdirSync(empty);
    const fifo = path.join(root, 'fifo-sessions.jsonl');
    execFileSync('mkfifo', [fifo]);
    const host4 = path.join(root, 'host4');
    fs.mkdirSync(host4);
    execFileSync('mkfifo', [path.join(host4, 'tsmarchiver-sessions.jsonl')]);
    write(path.join(host4, 'tsmretriever-sessions.jsonl'), jsonl([{ bytes: 6 }]));
    const { code, out, err } = await endit(['tapemetrics', '--now', NOW, good, missing, empty, fifo, host4]);
    expect(code).toBe(1);
    expect(err.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^endit tapemetrics: ${missing}: cannot read \\(ENOENT`)),
      `endit tapemetrics: ${empty}: no tsm*-sessions.jsonl file in this directory`,
      `endit tapemetrics: ${fifo}: not a regular file or directory (a fifo); not read`,
      `endit tapemetrics: ${host4}/tsmarchiver-sessions.jsonl: not a regular file (a fifo); not read`,
      '',
    ]);
    expect(sharesOf(out)['pool1']?.readbytes24h).toBe(11);
  });

  it('takes usedsize from the hint file of a pool (--hints HSM=FILE, or a plain FILE when one pool is named)', async () => {
    const root = tempDir();
    const sessions = write(path.join(root, 'tsmretriever-sessions.jsonl'), jsonl([{ hsm: 'atlaspool' }]));
    const hints = write(path.join(root, 'hints.json'), JSON.stringify({ [hexId(1)]: { volid: 'V1', size: 1.2e9 }, [hexId(2)]: { volid: 'V1', size: '1000000000' }, [hexId(3)]: { volid: 'V2' } }));
    const named = await endit(['tapemetrics', '--now', NOW, '--vo', 'atlaspool=atlas', '--hints', `atlaspool=${hints}`, sessions]);
    expect(named.code).toBe(0);
    expect(named.err).toBe(`endit tapemetrics: warning: ${hints}: 1 entries have no size; usedsize counts them as 0\n`);
    expect(sharesOf(named.out)['atlas']).toMatchObject({ usedsize: 2e9, occupiedsize: 2e9 });
    const plain = await endit(['tapemetrics', '--now', NOW, '--hints', hints, sessions]);
    expect(sharesOf(plain.out)['atlaspool']?.usedsize).toBe(2e9);
  });

  it('names a hint file it cannot read, leaves usedsize out and exits 1', async () => {
    const root = tempDir();
    const sessions = write(path.join(root, 'tsmretriever-sessions.jsonl'), jsonl([{}]));
    const broken = write(path.join(root, 'hints.json'), '{"0000AB": ');
    const { code, out, err } = await endit(['tapemetrics', '--now', NOW, '--hints', `pool1=${broken}`, sessions]);
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`^endit tapemetrics: ${broken}: not valid JSON.*; no usedsize from it\\n$`));
    expect(sharesOf(out)['pool1']).not.toHaveProperty('usedsize');
  });

  it.each([
    { what: 'no path', args: [], message: 'name the sessions files or directories to read' },
    { what: 'a --vo without =', args: ['--vo', 'atlas', '.'], message: "--vo: expected HSM=VO, got 'atlas'" },
    { what: 'one pool mapped to two VOs', args: ['--vo', 'p=a', '--vo', 'p=b', '.'], message: '--vo: p given twice, as a and as b' },
    { what: 'a --now that is no time', args: ['--now', 'yesterday', '.'], message: "--now: expected an ISO 8601 time such as 2025-06-01T00:00:00Z, got 'yesterday'" },
  ])('refuses $what (exit 2)', async ({ args, message }) => {
    const { code, err } = await endit(['tapemetrics', ...args]);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(`endit: ${message}`);
  });

  it('refuses a plain --hints FILE when the records name several pools (exit 2)', async () => {
    const sessions = write(path.join(tempDir(), 'tsmretriever-sessions.jsonl'), jsonl([{ hsm: 'a' }, { hsm: 'b' }]));
    const { code, err } = await endit(['tapemetrics', '--hints', 'h.json', sessions]);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('endit: --hints h.json: the session records name 2 pools (a, b); write --hints HSM=h.json');
  });

  it('uses the clock of the command when --now is not given', async () => {
    const sessions = write(path.join(tempDir(), 'tsmretriever-sessions.jsonl'), jsonl([{ end: '2025-06-01T12:00:00.000Z', bytes: 3 }]));
    const inWindow = await endit(['tapemetrics', sessions], { nowMs: Date.parse('2025-06-02T11:59:59Z') });
    expect(sharesOf(inWindow.out)['pool1']?.readbytes24h).toBe(3);
    expect(JSON.parse(inWindow.out).storageservice.latestupdate).toBe(Date.parse('2025-06-02T11:59:59Z') / 1000);
    const past = await endit(['tapemetrics', sessions], { nowMs: Date.parse('2025-06-02T12:00:00Z') });
    expect(sharesOf(past.out)['pool1']?.readbytes24h).toBe(0);
  });
});
