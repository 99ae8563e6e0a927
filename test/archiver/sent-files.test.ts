import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonContext } from '../../src/core/runtime/index.js';
import { poolLayout } from '../../src/core/pool/index.js';
import { SentFiles } from '../../src/archiver/sent-files.js';
import { formatSentRecord, heldJournalPath, listSessionJournals, statIdentity, type SentRecord } from '../../src/archiver/sent-journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(): { sent: SentFiles; out: string; lists: string; errors: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-sent-'));
  dirs.push(dir);
  const pool = poolLayout(dir);
  fs.mkdirSync(pool.out);
  fs.mkdirSync(pool.requestlists);
  const errors: string[] = [];
  const logger = { error: (code: string, message: string) => errors.push(`${code}: ${message}`) };
  const ctx = { pool, logger } as unknown as DaemonContext;
  return { sent: new SentFiles(ctx), out: pool.out, lists: pool.requestlists, errors };
}

function put(out: string, name: string, content = 'xyz'): SentRecord {
  fs.writeFileSync(path.join(out, name), content);
  return { name, identity: statIdentity(out, name) as NonNullable<ReturnType<typeof statIdentity>> };
}

describe('SentFiles.settle', () => {
  it('removes the file dsmc sent; another file of that name (rewritten) is left as new work; a gone one is gone', () => {
    const { sent, out } = setup();
    const aa = put(out, 'AA');
    expect(sent.settle('AA', aa.identity)).toEqual({ kind: 'removed', sizeBytes: 3 });
    expect(fs.existsSync(path.join(out, 'AA'))).toBe(false);
    const bb = put(out, 'BB');
    fs.writeFileSync(path.join(out, 'BB'), 'other content');
    expect(sent.settle('BB', bb.identity)).toEqual({ kind: 'replaced' });
    expect(fs.existsSync(path.join(out, 'BB'))).toBe(true);
    expect(sent.settle('CC', aa.identity)).toEqual({ kind: 'gone' });
    expect(sent.heldCount).toBe(0);
  });

  it('fault 3 too: a symlink where the sent file was is not followed, nor removed', () => {
    const { sent, out } = setup();
    const aa = put(out, 'AA');
    fs.rmSync(path.join(out, 'AA'));
    fs.symlinkSync('/etc/passwd', path.join(out, 'AA'));
    expect(sent.settle('AA', aa.identity)).toEqual({ kind: 'gone' });
    expect(fs.lstatSync(path.join(out, 'AA')).isSymbolicLink()).toBe(true);
  });
});

describe('fault 2: SentFiles.recover (after a restart)', () => {
  it('removes files journaled as archived and still the same; leaves unconfirmed and replaced ones; then drops the journals', async () => {
    const { sent, out, lists } = setup();
    const aa = put(out, 'AA');
    const bb = put(out, 'BB');
    const cc = put(out, 'CC');
    const dd = put(out, 'DD');
    fs.writeFileSync(path.join(out, 'CC'), 'a new file under the old name');
    // A session killed mid-way: AA confirmed (ANS4007E), BB only [Sent] (its transaction may be rolled back), CC replaced since.
    fs.writeFileSync(path.join(lists, '.archiver-sent.tsm-archive-files.K'), [formatSentRecord(aa), 'C AA\n', formatSentRecord(bb), formatSentRecord(cc), 'C CC\n'].join(''));
    fs.writeFileSync(heldJournalPath(lists), `${formatSentRecord(dd)}E\n`);
    expect(sent.recover()).toEqual([
      { name: 'DD', sizeBytes: 3 },
      { name: 'AA', sizeBytes: 3 },
    ]);
    expect(fs.readdirSync(out).sort()).toEqual(['BB', 'CC']);
    await sent.persist();
    expect(listSessionJournals(lists)).toEqual([]);
    expect(fs.existsSync(heldJournalPath(lists))).toBe(false); // nothing held: no file
  });

  it('an unreadable journal is reported and kept', async () => {
    const { sent, lists, errors } = setup();
    fs.mkdirSync(path.join(lists, '.archiver-sent.tsm-archive-files.D'));
    expect(sent.recover()).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/^sent_journal_failed: cannot read .*\.archiver-sent\.tsm-archive-files\.D: /)]);
    await sent.persist();
    expect(listSessionJournals(lists)).toHaveLength(1);
  });
});
