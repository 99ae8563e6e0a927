import { hintRecordSteps, planHintRecord, runSteps, type ByteSource, type HintRecord, type HintScanOutcome, type HintScanSummary } from '../core/hints/index.js';
import { parseOrderKey, type OrderKey } from './tape-order.js';
import { sanitizeVolumeName } from './volume-name.js';

export type { HintScanOutcome, HintScanSummary };

/** One usable entry of the hint file, as the retriever schedules by it. */
export interface HintEntry {
  readonly id: string;
  /** Sanitized (SPEC 6.4). */
  readonly volume: string;
  readonly order: OrderKey | null;
  /** null when the hint does not say (dsmc listed the object in KB or larger units). */
  readonly sizeBytes: number | null;
}

export type HintEntryPlan = { readonly ok: true; readonly entry: HintEntry } | { readonly ok: false; readonly reason: string };

/** The retriever's view of one record; `names` caches sanitized volume names (about a thousand for a million entries). */
function entryOf(record: HintRecord, names: Map<string, string>): HintEntry {
  let volume = names.get(record.volid);
  if (volume === undefined) {
    volume = sanitizeVolumeName(record.volid);
    names.set(record.volid, volume);
  }
  return { id: record.id, volume, order: parseOrderKey(record.order), sizeBytes: record.sizeBytes };
}

/** Interprets one member of the hint object (the core's rules, the retriever's view). Pure (`names` only caches). */
export function planHintEntry(id: string, value: unknown, names: Map<string, string> = new Map()): HintEntryPlan {
  const plan = planHintRecord(id, value);
  return plan.ok ? { ok: true, entry: entryOf(plan.record, names) } : { ok: false, reason: `${id.slice(0, 60)}: ${plan.reason}` };
}

/**
 * Reads hint file text, streaming (the core reader, SPEC 8), and hands each
 * usable entry to `onEntry`, a step of members per `next()` (the loader runs
 * the steps in slices). Pure apart from the callback.
 */
export function hintTextSteps(text: Buffer | string | ByteSource, onEntry: (entry: HintEntry) => void, aheadBytes?: number): Generator<void, HintScanOutcome, void> {
  const names = new Map<string, string>();
  return hintRecordSteps(text, (record) => onEntry(entryOf(record, names)), aheadBytes === undefined ? {} : { aheadBytes });
}

/** hintTextSteps all at once. */
export function scanHintText(text: Buffer | string | ByteSource, onEntry: (entry: HintEntry) => void, aheadBytes?: number): HintScanOutcome {
  return runSteps(hintTextSteps(text, onEntry, aheadBytes));
}

/** All entries of a hint text at once (small files, tests). */
export function parseHintText(text: Buffer | string): { ok: true; entries: HintEntry[]; summary: HintScanSummary } | { ok: false; error: string } {
  const entries: HintEntry[] = [];
  const outcome = scanHintText(text, (entry) => entries.push(entry));
  return outcome.ok ? { ok: true, entries, summary: outcome.summary } : outcome;
}
