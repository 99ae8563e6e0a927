import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatSentRecord,
  heldJournalPath,
  listSessionJournals,
  parseJournalLine,
  readConfirmedSent,
  SessionJournal,
  statIdentity,
  writeHeldJournal,
  type SentRecord,
} from '../../src/archiver/sent-journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-journal-'));
  dirs.push(d);
  return d;
}

const record = (name: string, sizeBytes = 10): SentRecord => ({ name, identity: { sizeBytes, ino: 123456789, mtimeMs: 1_700_000_000_123.4567 } });

describe('journal lines', () => {
  it('a sent record round-trips exactly (mtime with a fraction)', () => {
    const line = formatSentRecord(record('AA')).trimEnd();
    expect(parseJournalLine(line)).toEqual({ kind: 'sent', record: record('AA') });
  });

  it.each<[string, ReturnType<typeof parseJournalLine>]>([
    ['C AA', { kind: 'not-removed', name: 'AA' }],
    ['E', { kind: 'exited' }],
    ['S AA 10 5', null], // torn
    ['S AA 10 5 x', null],
    ['S ../etc 1 2 3', null],
    ['C', null],
    ['', null],
    ['X AA', null],
  ])('%j', (line, expected) => {
    expect(parseJournalLine(line)).toEqual(expected);
  });
});

describe('session journals', () => {
  it('what a killed session confirmed: only files dsmc could not remove; a torn last line is left out', () => {
    const dir = tempDir();
    const journal = SessionJournal.create(dir, '/x/tsm-archive-files.ABCDEF', () => undefined);
    expect(journal).not.toBeNull();
    journal?.sent(record('AA'));
    journal?.notRemoved('AA');
    journal?.sent(record('BB'));
    journal?.notRemoved('CC'); // not sent: could not be read
    journal?.close();
    const [file] = listSessionJournals(dir);
    expect(path.basename(file as string)).toBe('.archiver-sent.tsm-archive-files.ABCDEF');
    fs.appendFileSync(file as string, 'S DD 1 2'); // the daemon died mid-write
    expect([...readConfirmedSent(file as string)]).toEqual([record('AA')]);
  });

  it('a session dsmc ended by itself confirms every sent file', () => {
    const dir = tempDir();
    const journal = SessionJournal.create(dir, 'tsm-archive-files.X', () => undefined);
    journal?.sent(record('AA'));
    journal?.sent(record('BB'));
    journal?.exited();
    journal?.close();
    expect([...readConfirmedSent(listSessionJournals(dir)[0] as string)].map((r) => r.name)).toEqual(['AA', 'BB']);
  });

  it('is written while dsmc runs, not only at its end (a SIGKILL loses at most the line being read)', async () => {
    const dir = tempDir();
    const journal = SessionJournal.create(dir, 'tsm-archive-files.Y', () => undefined);
    journal?.sent(record('AA'));
    await Promise.resolve();
    expect(fs.readFileSync(journal?.file as string, 'utf8')).toBe(formatSentRecord(record('AA')));
    journal?.close();
  });

  it('refuses to open over an existing file or symlink, and says so', () => {
    const dir = tempDir();
    fs.symlinkSync('/etc/passwd', path.join(dir, '.archiver-sent.tsm-archive-files.Z'));
    const errors: string[] = [];
    expect(SessionJournal.create(dir, 'tsm-archive-files.Z', (m) => errors.push(m))).toBeNull();
    expect(errors[0]).toMatch(/cannot create .*\.archiver-sent\.tsm-archive-files\.Z: EEXIST/);
  });

  it('a missing journal confirms nothing', () => {
    expect([...readConfirmedSent(path.join(tempDir(), 'nope'))]).toEqual([]);
  });
});

describe('held journal', () => {
  it('lists the held files, all confirmed', async () => {
    const dir = tempDir();
    const file = heldJournalPath(dir);
    await writeHeldJournal(file, [record('AA'), record('BB', 20)]);
    expect([...readConfirmedSent(file)]).toEqual([record('AA'), record('BB', 20)]);
    expect(listSessionJournals(dir)).toEqual([]);
    await writeHeldJournal(file, []);
    expect(fs.readFileSync(file, 'utf8')).toBe('E\n');
  });
});

describe('statIdentity', () => {
  it('size, inode and mtime of a regular file; null for a symlink or nothing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'AA'), 'xyz');
    fs.symlinkSync(path.join(dir, 'AA'), path.join(dir, 'BB'));
    const st = fs.statSync(path.join(dir, 'AA'));
    expect(statIdentity(dir, 'AA')).toEqual({ sizeBytes: 3, ino: st.ino, mtimeMs: st.mtimeMs });
    expect(statIdentity(dir, 'BB')).toBeNull();
    expect(statIdentity(dir, 'CC')).toBeNull();
  });
});
