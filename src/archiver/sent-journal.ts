import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, isErrno } from '../core/errors.js';
import { isPnfsid } from '../core/pool/index.js';
import { writeFileAtomic } from '../core/stats/index.js';

/**
 * What tells one file from a later file of the same name: dCache may put a
 * pnfsid into out/ again (a new flush), and that one must be archived.
 */
export interface FileIdentity {
  readonly sizeBytes: number;
  readonly ino: number;
  readonly mtimeMs: number;
}

/** A file dsmc reported sent, as journaled. */
export interface SentRecord {
  readonly name: string;
  readonly identity: FileIdentity;
}

/**
 * One line of a journal:
 *   `S <name> <size> <ino> <mtimeMs>`  dsmc reported the file `[Sent]`
 *   `C <name>`                         dsmc could not remove it (ANS4007E)
 *   `E`                                dsmc exited by itself (not killed)
 * A sent file is confirmed on tape with `C` (dsmc only removes, or tries to,
 * what the server committed) or `E` (dsmc finished its transactions).
 */
export type JournalRecord = { readonly kind: 'sent'; readonly record: SentRecord } | { readonly kind: 'not-removed'; readonly name: string } | { readonly kind: 'exited' };

/** Journal of one session: `.archiver-sent.<list file name>` in requestlists/ (dot files are nobody's stray files). */
const SESSION_JOURNAL_PREFIX = '.archiver-sent.';
/** Files held at the last change: `S` lines and an `E`. */
const HELD_JOURNAL = '.archiver-held';
/** The journal is written in pieces of about this size. */
const CHUNK_CHARS = 1 << 20;

/** The identity of `dir/name` (lstat: a symlink is not followed), or null when it is gone or not a regular file. */
export function statIdentity(dir: string, name: string): FileIdentity | null {
  const st = fs.lstatSync(`${dir}/${name}`, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return null;
  return { sizeBytes: st.size, ino: st.ino, mtimeMs: st.mtimeMs };
}

export function formatSentRecord({ name, identity }: SentRecord): string {
  return `S ${name} ${identity.sizeBytes} ${identity.ino} ${identity.mtimeMs}\n`;
}

/** One journal line; null for anything else (a torn line of a killed writer). Pure. */
export function parseJournalLine(line: string): JournalRecord | null {
  const fields = line.split(' ');
  const [kind, name] = fields;
  if (kind === 'E' && fields.length === 1) return { kind: 'exited' };
  if (name === undefined || !isPnfsid(name)) return null;
  if (kind === 'C' && fields.length === 2) return { kind: 'not-removed', name };
  if (kind !== 'S' || fields.length !== 5) return null;
  const [sizeBytes, ino, mtimeMs] = fields.slice(2).map(Number) as [number, number, number];
  if (![sizeBytes, ino, mtimeMs].every(Number.isFinite)) return null;
  return { kind: 'sent', record: { name, identity: { sizeBytes, ino, mtimeMs } } };
}

/**
 * Appends what dsmc reports during one archive session. Lines are gathered
 * while dsmc's output is read and written in one piece right after (a
 * microtask), so a SIGKILL of the daemon loses at most what it was reading
 * that instant; the file is fsynced when the session ends.
 */
export class SessionJournal {
  private buffered = '';
  private flushQueued = false;
  private gone = false;

  private constructor(
    readonly file: string,
    private fd: number | null,
    private readonly onError: (message: string) => void,
  ) {}

  /** A new journal for the session of `listFile`; null (after telling onError) when it cannot be created. */
  static create(requestlistsDir: string, listFile: string, onError: (message: string) => void): SessionJournal | null {
    const file = path.join(requestlistsDir, `${SESSION_JOURNAL_PREFIX}${path.basename(listFile)}`);
    try {
      const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fs.constants;
      return new SessionJournal(file, fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW, 0o644), onError);
    } catch (error) {
      onError(`cannot create ${file}: ${errorMessage(error)}`);
      return null;
    }
  }

  sent(record: SentRecord): void {
    this.append(formatSentRecord(record));
  }

  notRemoved(name: string): void {
    this.append(`C ${name}\n`);
  }

  exited(): void {
    this.append('E\n');
  }

  get removed(): boolean {
    return this.gone;
  }

  /** Removes the journal (closed first). */
  remove(): void {
    this.close();
    this.gone = true;
    fs.rmSync(this.file, { force: true });
  }

  /** Writes what is buffered, fsyncs and closes. */
  close(): void {
    this.flush();
    if (this.fd === null) return;
    try {
      fs.fsyncSync(this.fd);
    } catch (error) {
      this.onError(`cannot fsync ${this.file}: ${errorMessage(error)}`);
    }
    fs.closeSync(this.fd);
    this.fd = null;
  }

  private append(text: string): void {
    this.buffered += text;
    if (this.buffered.length >= CHUNK_CHARS) this.flush();
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.buffered === '' || this.fd === null) return;
    const text = this.buffered;
    this.buffered = '';
    try {
      fs.writeSync(this.fd, text, null, 'latin1');
    } catch (error) {
      this.onError(`cannot write ${this.file}: ${errorMessage(error)}`);
    }
  }
}

/** Journals of sessions in requestlists/ that an earlier run did not settle. */
export function listSessionJournals(requestlistsDir: string): string[] {
  return fs
    .readdirSync(requestlistsDir)
    .filter((name) => name.startsWith(SESSION_JOURNAL_PREFIX))
    .map((name) => path.join(requestlistsDir, name));
}

export function heldJournalPath(requestlistsDir: string): string {
  return path.join(requestlistsDir, HELD_JOURNAL);
}

/** Complete lines of a file, read in pieces (a million-line journal never becomes one string); a torn last line is left out. */
function* readLines(file: string): Generator<string> {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 16);
    let rest = '';
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) return;
      const lines = (rest + buffer.toString('latin1', 0, read)).split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Sent files a journal shows confirmed (see JournalRecord); a file missing from the disk yields nothing. */
export function* readConfirmedSent(file: string): Generator<SentRecord> {
  let exited = false;
  const notRemoved = new Set<string>();
  for (const line of readLines(file)) {
    const record = parseJournalLine(line);
    if (record?.kind === 'exited') exited = true;
    else if (record?.kind === 'not-removed') notRemoved.add(record.name);
  }
  for (const line of readLines(file)) {
    const record = parseJournalLine(line);
    if (record?.kind === 'sent' && (exited || notRemoved.has(record.record.name))) yield record.record;
  }
}

/** Replaces the held journal with these files (fsynced: they must not be archived again after a crash). */
export async function writeHeldJournal(file: string, held: Iterable<SentRecord>): Promise<void> {
  await writeFileAtomic(file, heldJournalChunks(held), { mode: 0o644, fsync: true });
}

function* heldJournalChunks(held: Iterable<SentRecord>): Generator<string> {
  let chunk = '';
  for (const record of held) {
    chunk += formatSentRecord(record);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}E\n`;
}
