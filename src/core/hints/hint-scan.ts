/**
 * The one reader of the tape hint file (SPEC 8), streaming: a million
 * entries are read member by member, never held as one text or one parsed
 * object. The retriever keeps what it needs in typed columns; the deleter and
 * the CLI build a HintMap from the same entries.
 */
import { isPnfsid } from '../pool/pnfsid.js';
import { isObjectStart, jsonObjectMemberSteps, JsonScanError, runSteps, type ByteSource, type MemberFastPath, type Scanner } from './json-scanner.js';
import { newPlainHintMember, readPlainHintMember, type PlainHintMember } from './plain-member.js';

/** One usable member of the hint object. */
export interface HintRecord {
  readonly id: string;
  /** The volume as dsmc named it, trimmed (see sanitizeVolumeName before using it in a file name). */
  readonly volid: string;
  /** dsmc's restore order or an integer position, as text; null when absent or not a string or number. */
  readonly order: string | null;
  /** null when unknown: absent (dsmc listed the object in KB or larger units) or not a byte count. */
  readonly sizeBytes: number | null;
}

export type HintRecordPlan = { readonly ok: true; readonly record: HintRecord } | { readonly ok: false; readonly reason: string };

/** A string (trimmed, not empty) or a finite number, as text. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') {
    const text = value.trim();
    return text === '' ? null : text;
  }
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** A byte count given as a number or a string of digits (the Perl tools wrote strings); null otherwise. */
export function parseByteCount(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw === 'string' && /^\s*\d{1,16}\s*$/.test(raw)) return Number(raw);
  return null;
}

/**
 * Interprets one member. An entry needs a pnfsid and a volume; without a
 * usable order or size it is still worth its volume (the retriever groups by
 * it, the deleter holds by it). Pure; `intern` may share one string per volume.
 */
export function planHintRecord(id: string, value: unknown, intern: (volid: string) => string = (v) => v): HintRecordPlan {
  if (!isPnfsid(id)) return { ok: false, reason: 'not a pnfsid' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const entry = value as Record<string, unknown>;
  const volid = textOf(entry['volid']);
  // A name with nothing sanitizeVolumeName keeps (e.g. `///`) names no volume.
  if (volid === null || !VOLUME_CHARACTER.test(volid)) return { ok: false, reason: 'no volid' };
  return { ok: true, record: { id, volid: intern(volid), order: textOf(entry['order']), sizeBytes: parseByteCount(entry['size']) } };
}

/** A character that survives sanitizeVolumeName (SPEC 6.4). */
const VOLUME_CHARACTER = /[A-Za-z0-9.-]/;

const HINT_KEYS = [Buffer.from('volid'), Buffer.from('order'), Buffer.from('size')] as const;

/**
 * Reads the value of one hint member, keeping only `volid`, `order` and
 * `size` (other keys are checked, not kept): a million of them should cost
 * no more strings than needed.
 */
function readHintValue(scanner: Scanner): unknown {
  if (!isObjectStart(scanner)) return scanner.value();
  const kept: { volid?: unknown; order?: unknown; size?: unknown } = {};
  scanner.keyedMembers(HINT_KEYS, (keyIndex) => {
    if (keyIndex === 0) kept.volid = scanner.value();
    else if (keyIndex === 1) kept.order = scanner.value();
    else if (keyIndex === 2) kept.size = scanner.value();
    else scanner.skipValue();
  });
  return kept;
}

export interface HintScanSummary {
  readonly entries: number;
  readonly skipped: number;
  /** The first skipped member and why (`<key>: <reason>`), for the log. */
  readonly firstSkipReason: string | null;
}

export type HintScanOutcome = { readonly ok: true; readonly summary: HintScanSummary } | { readonly ok: false; readonly error: string };

export interface HintScanOptions {
  readonly onSkip?: (id: string, reason: string) => void;
  readonly aheadBytes?: number;
  /**
   * Members of the plain shape (plain-member.ts) go here as bytes, not to
   * `onRecord` as a HintRecord: the retriever packs ids straight from the
   * bytes. The bytes and `member` are valid only during the call.
   */
  readonly onPlainMember?: (bytes: Buffer, member: PlainHintMember) => void;
  /** false: every member through the general reader (tests compare the two). Default true. */
  readonly plainFastPath?: boolean;
}

/** A HintRecord of a plain member: what planHintRecord makes of the same member. */
function plainRecordOf(bytes: Buffer, member: PlainHintMember, intern: (volid: string) => string): HintRecord {
  return {
    id: bytes.toString('latin1', member.idStart, member.idEnd),
    volid: intern(bytes.toString('latin1', member.volidStart, member.volidEnd)),
    order: member.orderStart < 0 ? null : bytes.toString('latin1', member.orderStart, member.orderEnd),
    sizeBytes: member.sizeBytes < 0 ? null : member.sizeBytes,
  };
}

/** One string per volume name (a million entries name about a thousand volumes). */
function volumeInterner(): (volid: string) => string {
  const volumes = new Map<string, string>();
  return (volid) => {
    const known = volumes.get(volid);
    if (known !== undefined) return known;
    volumes.set(volid, volid);
    return volid;
  };
}

/**
 * The fast path for jsonObjectMemberSteps: reads a plain member and hands
 * it on (counted by `count`), or returns -1.
 */
function plainFastPath(options: HintScanOptions, onRecord: (record: HintRecord) => void, intern: (volid: string) => string, count: () => void): MemberFastPath {
  const member = newPlainHintMember();
  const onPlain = options.onPlainMember ?? ((bytes, plain) => onRecord(plainRecordOf(bytes, plain, intern)));
  return (bytes, pos) => {
    const end = readPlainHintMember(bytes, pos, member);
    if (end >= 0) {
      count();
      onPlain(bytes, member);
    }
    return end;
  };
}

/**
 * Reads hint file text (any JSON layout, numbers as strings, size missing)
 * and hands each usable entry to `onRecord`, each unusable member to
 * `onSkip`, a step of members per `next()` (see jsonObjectMemberSteps): a
 * daemon gives the event loop its turn between steps. Unusable members are
 * counted, not fatal; text that is not a JSON object is (the outcome says
 * why). Pure apart from the callbacks.
 */
export function* hintRecordSteps(
  text: Buffer | string | ByteSource,
  onRecord: (record: HintRecord) => void,
  options: HintScanOptions = {},
): Generator<void, HintScanOutcome, void> {
  let entries = 0;
  let skipped = 0;
  let firstSkipReason: string | null = null;
  const intern = volumeInterner();
  const onMember = (id: string, value: unknown): void => {
    const plan = planHintRecord(id, value, intern);
    if (plan.ok) {
      entries++;
      onRecord(plan.record);
    } else {
      skipped++;
      firstSkipReason ??= `${id.slice(0, 60)}: ${plan.reason}`;
      options.onSkip?.(id, plan.reason);
    }
  };
  const fast = options.plainFastPath === false ? undefined : plainFastPath(options, onRecord, intern, () => entries++);
  try {
    yield* jsonObjectMemberSteps(text, onMember, readHintValue, options.aheadBytes, fast);
  } catch (error) {
    if (error instanceof JsonScanError) return { ok: false, error: `not valid JSON: ${error.message}` };
    throw error;
  }
  return { ok: true, summary: { entries, skipped, firstSkipReason } };
}

/** hintRecordSteps all at once (the CLI, the deleter, small texts). */
export function scanHintRecords(text: Buffer | string | ByteSource, onRecord: (record: HintRecord) => void, options: HintScanOptions = {}): HintScanOutcome {
  return runSteps(hintRecordSteps(text, onRecord, options));
}
