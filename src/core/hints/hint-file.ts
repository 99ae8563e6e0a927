/**
 * The tape hint file (SPEC 8): which object is on which tape volume, and in
 * what order. Written by endit-tapehints, read by the retriever (one session
 * per volume, lists in tape order) and by the deleter (volume-aware deletion).
 *
 *   {"<id>": {"volid": "<volume>", "order": "<restore order>", "size": <bytes>}, ...}
 *
 * Readers accept what the Perl tools wrote too: numbers as strings, `size`
 * missing (size unknown), one line or pretty-printed. One reader for all:
 * hint-scan.ts.
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../stats/atomic-write.js';
import { scanHintRecords, type HintRecord } from './hint-scan.js';
import type { ByteSource } from './json-scanner.js';
import { HintFileError, hintByteSource, withHintFile } from './hint-open.js';

export { HintFileError };

export interface TapeHint {
  /** The volume as dsmc named it (see sanitizeVolumeName before using it in a file name). */
  readonly volid: string;
  /** dsmc's restore order (`XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX`) or an integer position, as a string; absent when the file gives none. */
  readonly order?: string;
  /** Absent when dsmc listed the object in KB or a larger unit. */
  readonly sizeBytes?: number;
}

export type HintMap = Map<string, TapeHint>;

/** Why one entry was left out; the rest of the file is still used. */
export type HintSkipHandler = (id: string, reason: string) => void;

function tapeHintOf(record: HintRecord): TapeHint {
  const { volid, order, sizeBytes } = record;
  if (order === null) return sizeBytes === null ? { volid } : { volid, sizeBytes };
  return sizeBytes === null ? { volid, order } : { volid, order, sizeBytes };
}

/** The hints of a text or byte source; throws HintFileError naming `file` when it is not a JSON object. */
function collectHints(source: string | ByteSource, file: string, onSkip?: HintSkipHandler): HintMap {
  const hints: HintMap = new Map();
  const outcome = scanHintRecords(source, (record) => hints.set(record.id, tapeHintOf(record)), onSkip === undefined ? {} : { onSkip });
  if (!outcome.ok) throw new HintFileError(`${file}: ${outcome.error}`);
  return hints;
}

/**
 * Parses the text of a hint file (the streaming reader of hint-scan.ts).
 * Throws HintFileError (naming `file`) when it is not a JSON object; entries
 * that are unusable (a name that is not a pnfsid, not an object, no volid)
 * are skipped and reported to `onSkip`.
 */
export function parseHintFile(text: string, file: string, onSkip?: HintSkipHandler): HintMap {
  return collectHints(text, file, onSkip);
}

export interface HintFileRead {
  readonly hints: HintMap;
  readonly mtimeMs: number;
  /** Entries left out, with the first reason (for one warning line). */
  readonly skipped: number;
  readonly firstSkip?: string;
}

/**
 * Reads a hint file, streaming; throws HintFileError on bad content or when
 * the path names no regular file (see withHintFile), the fs error when
 * unreadable. Async for its callers; the reading itself is synchronous, as
 * the retriever's.
 */
export async function readHintFile(file: string): Promise<HintFileRead> {
  return withHintFile(file, (open) => {
    let skipped = 0;
    let firstSkip: string | undefined;
    const hints = collectHints(hintByteSource(open), file, (id, reason) => {
      skipped++;
      firstSkip ??= `${id}: ${reason}`;
    });
    return { hints, mtimeMs: open.stat.mtimeMs, skipped, ...(firstSkip === undefined ? {} : { firstSkip }) };
  });
}

/**
 * The hint file text our generator writes: one entry per line (grep-friendly,
 * still one JSON object), numbers as numbers, `size` only when known.
 */
export function formatHintFile(entries: Iterable<readonly [string, TapeHint]>): string {
  let text = '';
  for (const chunk of hintFileChunks(entries)) text += chunk;
  return text;
}

function formatHintEntry(id: string, hint: TapeHint): string {
  const order = hint.order === undefined ? '' : `,"order":${JSON.stringify(hint.order)}`;
  const size = hint.sizeBytes === undefined ? '' : `,"size":${hint.sizeBytes}`;
  return `${JSON.stringify(id)}:{"volid":${JSON.stringify(hint.volid)}${order}${size}}`;
}

/** The text of formatHintFile in pieces of about `chunkChars`. */
export function* hintFileChunks(entries: Iterable<readonly [string, TapeHint]>, chunkChars = 1 << 20): Generator<string> {
  let chunk = '';
  let first = true;
  for (const [id, hint] of entries) {
    chunk += `${first ? '{\n' : ',\n'}${formatHintEntry(id, hint)}`;
    first = false;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  yield first ? '{}\n' : `${chunk}\n}\n`;
}

/** Writes the hint file atomically (temp file, fsync, rename); mode 0666 less the umask. */
export async function writeHintFile(file: string, entries: Iterable<readonly [string, TapeHint]>): Promise<void> {
  await writeFileAtomic(file, hintFileChunks(entries), { fsync: true });
}

/**
 * The longest volume name kept as it is. Real volume names are a few
 * characters; names become file names (`requestlists/<volume>.XXXXXX`, and
 * the session record and temporary names built on it), which must stay well
 * under the 255-byte limit of a file name.
 */
const MAX_VOLUME_NAME_LENGTH = 100;

/** Hex digits of the hash that ends a shortened volume name. */
const VOLUME_HASH_DIGITS = 16;

/**
 * Every run of characters outside `A-Za-z0-9.-` becomes `_` (SPEC 6.4): safe
 * in a file name. A name longer than MAX_VOLUME_NAME_LENGTH keeps its first
 * MAX_VOLUME_NAME_LENGTH characters plus `_` and a hash of the whole
 * sanitized name: two long names that differ anywhere stay apart, and a
 * shortened name is longer than any name kept as it is, so it never meets one.
 */
export function sanitizeVolumeName(volid: string): string {
  const name = volid.replace(/[^A-Za-z0-9.-]+/g, '_');
  if (name.length <= MAX_VOLUME_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, VOLUME_HASH_DIGITS);
  return `${name.slice(0, MAX_VOLUME_NAME_LENGTH)}_${hash}`;
}

/** `$ENDIT_RETRIEVER_HINTFILE` overrides `retriever_hintfile` (SPEC 8); undefined when neither is set. */
export function resolveHintFilePath(configured: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env['ENDIT_RETRIEVER_HINTFILE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return configured;
}
