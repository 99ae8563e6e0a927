import { isPnfsid } from '../core/pool/index.js';
import { isObjectStart, JsonScanError, scanJsonObjectMembers, type ByteSource, type Scanner } from './json-scanner.js';
import { parseOrderKey, type OrderKey } from './tape-order.js';
import { sanitizeVolumeName } from './volume-name.js';

/** One usable line of the hint file. */
export interface HintEntry {
  readonly id: string;
  /** Sanitized (SPEC 6.4). */
  readonly volume: string;
  readonly order: OrderKey | null;
  /** null when the hint does not say (dsmc listed the object in KB or larger units). */
  readonly sizeBytes: number | null;
}

export type HintEntryPlan = { readonly ok: true; readonly entry: HintEntry } | { readonly ok: false; readonly reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A byte count given as a number or a string of digits (the Perl tools wrote strings); null otherwise. */
export function parseByteCount(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw === 'string' && /^\s*\d{1,16}\s*$/.test(raw)) return Number(raw);
  return null;
}

/** Interprets one member of the hint object. Pure (`names` only caches sanitized names). */
export function planHintEntry(id: string, value: unknown, names: Map<string, string> = new Map()): HintEntryPlan {
  if (!isPnfsid(id)) return { ok: false, reason: `key '${id.slice(0, 60)}' is not a pnfsid` };
  if (!isRecord(value)) return { ok: false, reason: `${id}: not an object` };
  const volid = value['volid'];
  if (typeof volid !== 'string' && typeof volid !== 'number') return { ok: false, reason: `${id}: no volid` };
  const raw = String(volid);
  let volume = names.get(raw);
  if (volume === undefined) {
    volume = sanitizeVolumeName(raw.trim());
    names.set(raw, volume);
  }
  if (volume === '' || volume === '_') return { ok: false, reason: `${id}: empty volid` };
  return { ok: true, entry: { id, volume, order: parseOrderKey(value['order']), sizeBytes: parseByteCount(value['size']) } };
}

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
  /** Why the first skipped member was skipped, for the log. */
  readonly firstSkipReason: string | null;
}

export type HintScanOutcome = { readonly ok: true; readonly summary: HintScanSummary } | { readonly ok: false; readonly error: string };

/**
 * Reads hint file text (SPEC 8: any JSON layout, numbers as strings, size
 * missing) and hands each usable entry to `onEntry`. Members that are not
 * usable are counted, not fatal; text that is not a JSON object is.
 * Pure apart from the callback.
 */
export function scanHintText(text: Buffer | string | ByteSource, onEntry: (entry: HintEntry) => void, aheadBytes?: number): HintScanOutcome {
  let entries = 0;
  let skipped = 0;
  let firstSkipReason: string | null = null;
  const names = new Map<string, string>();
  try {
    const onMember = (id: string, value: unknown): void => {
      const plan = planHintEntry(id, value, names);
      if (plan.ok) {
        entries++;
        onEntry(plan.entry);
      } else {
        skipped++;
        firstSkipReason ??= plan.reason;
      }
    };
    scanJsonObjectMembers(text, onMember, readHintValue, aheadBytes);
  } catch (error) {
    if (error instanceof JsonScanError) return { ok: false, error: `not valid JSON: ${error.message}` };
    throw error;
  }
  return { ok: true, summary: { entries, skipped, firstSkipReason } };
}

/** All entries of a hint text at once (small files, tests). */
export function parseHintText(text: Buffer | string): { ok: true; entries: HintEntry[]; summary: HintScanSummary } | { ok: false; error: string } {
  const entries: HintEntry[] = [];
  const outcome = scanHintText(text, (entry) => entries.push(entry));
  return outcome.ok ? { ok: true, entries, summary: outcome.summary } : outcome;
}
