/**
 * The tape hint file (SPEC 8): which object is on which tape volume, and in
 * what order. Written by endit-tapehints, read by the retriever (one session
 * per volume, lists in tape order) and by the deleter (volume-aware deletion).
 *
 *   {"<id>": {"volid": "<volume>", "order": "<restore order>", "size": <bytes>}, ...}
 *
 * Readers accept what the Perl tools wrote too: numbers as strings, `size`
 * missing (size unknown), one line or pretty-printed.
 */
import fs from 'node:fs/promises';
import { isPnfsid } from '../pool/pnfsid.js';
import { writeFileAtomic } from '../stats/atomic-write.js';

export interface TapeHint {
  /** The volume as dsmc named it (see sanitizeVolumeName before using it in a file name). */
  readonly volid: string;
  /** dsmc's restore order (`XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX`) or an integer position, as a string. */
  readonly order: string;
  /** Absent when dsmc listed the object in KB or a larger unit. */
  readonly sizeBytes?: number;
}

export type HintMap = Map<string, TapeHint>;

export class HintFileError extends Error {}

/** Why one entry was left out; the rest of the file is still used. */
export type HintSkipHandler = (id: string, reason: string) => void;

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function sizeOf(value: unknown): number | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** One entry, or why it is unusable. */
export function parseHintEntry(value: unknown, intern: (volid: string) => string = (v) => v): TapeHint | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const entry = value as Record<string, unknown>;
  const rawVolid = textOf(entry['volid']);
  if (rawVolid === undefined) return 'no volid';
  const volid = intern(rawVolid);
  const order = textOf(entry['order']);
  if (order === undefined) return 'no order';
  const sizeBytes = sizeOf(entry['size']);
  if (sizeBytes === null) return `bad size ${JSON.stringify(entry['size'])}`;
  return sizeBytes === undefined ? { volid, order } : { volid, order, sizeBytes };
}

/**
 * Parses the text of a hint file. Throws HintFileError (naming `file`) when it
 * is not a JSON object; entries that are unusable (a name that is not a
 * pnfsid, no volid or order, a bad size) are skipped and reported to `onSkip`.
 */
export function parseHintFile(text: string, file: string, onSkip?: HintSkipHandler): HintMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HintFileError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HintFileError(`${file}: expected a JSON object of id: {volid, order, size}`);
  }
  const object = parsed as Record<string, unknown>;
  const hints: HintMap = new Map();
  // A million entries name about a thousand volumes: share one string per volume.
  const volumes = new Map<string, string>();
  const intern = (volid: string): string => {
    const known = volumes.get(volid);
    if (known !== undefined) return known;
    volumes.set(volid, volid);
    return volid;
  };
  for (const id in object) {
    if (!isPnfsid(id)) {
      onSkip?.(id, 'not a pnfsid');
      continue;
    }
    const hint = parseHintEntry(object[id], intern);
    if (typeof hint === 'string') onSkip?.(id, hint);
    else hints.set(id, hint);
  }
  return hints;
}

export interface HintFileRead {
  readonly hints: HintMap;
  readonly mtimeMs: number;
  /** Entries left out, with the first reason (for one warning line). */
  readonly skipped: number;
  readonly firstSkip?: string;
}

/** Reads and parses a hint file; throws HintFileError on bad content, the fs error when unreadable. */
export async function readHintFile(file: string): Promise<HintFileRead> {
  const stat = await fs.stat(file);
  const text = await fs.readFile(file, 'utf8');
  let skipped = 0;
  let firstSkip: string | undefined;
  const hints = parseHintFile(text, file, (id, reason) => {
    skipped++;
    firstSkip ??= `${id}: ${reason}`;
  });
  return { hints, mtimeMs: stat.mtimeMs, skipped, ...(firstSkip === undefined ? {} : { firstSkip }) };
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
  const size = hint.sizeBytes === undefined ? '' : `,"size":${hint.sizeBytes}`;
  return `${JSON.stringify(id)}:{"volid":${JSON.stringify(hint.volid)},"order":${JSON.stringify(hint.order)}${size}}`;
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

/** Every run of characters outside `A-Za-z0-9.-` becomes `_` (SPEC 6.4): safe in a file name. */
export function sanitizeVolumeName(volid: string): string {
  return volid.replace(/[^A-Za-z0-9.-]+/g, '_');
}

/** `$ENDIT_RETRIEVER_HINTFILE` overrides `retriever_hintfile` (SPEC 8); undefined when neither is set. */
export function resolveHintFilePath(configured: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env['ENDIT_RETRIEVER_HINTFILE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return configured;
}
