import {
  hintRecordSteps,
  planHintRecord,
  runSteps,
  type ByteSource,
  type HintRecord,
  type HintScanOptions,
  type HintScanOutcome,
  type HintScanSummary,
  type PlainHintMember,
} from '../core/hints/index.js';
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
 * Where the entries of a hint file go: `entry` for members the general
 * reader read, `plain` for members of the plain shape, as bytes (the
 * request cache packs their ids without a string). Both mean the same.
 */
export interface HintSink {
  entry(entry: HintEntry): void;
  plain(bytes: Buffer, member: PlainHintMember): void;
}

export interface HintTextOptions {
  readonly aheadBytes?: number;
  /** false: every member through the general reader (tests compare the two). */
  readonly plainFastPath?: boolean;
}

/**
 * Reads hint file text, streaming (the core reader, SPEC 8), and hands each
 * usable entry to `sink`, a step of members per `next()` (the loader runs
 * the steps in slices). Pure apart from the sink.
 */
export function hintTextSteps(
  text: Buffer | string | ByteSource,
  sink: HintSink | ((entry: HintEntry) => void),
  options: HintTextOptions = {},
): Generator<void, HintScanOutcome, void> {
  const names = new Map<string, string>();
  const onEntry = typeof sink === 'function' ? sink : (entry: HintEntry) => sink.entry(entry);
  const scanOptions: HintScanOptions = {
    ...(options.aheadBytes === undefined ? {} : { aheadBytes: options.aheadBytes }),
    ...(options.plainFastPath === undefined ? {} : { plainFastPath: options.plainFastPath }),
    ...(typeof sink === 'function' ? {} : { onPlainMember: (bytes: Buffer, member: PlainHintMember) => sink.plain(bytes, member) }),
  };
  return hintRecordSteps(text, (record) => onEntry(entryOf(record, names)), scanOptions);
}

/** hintTextSteps all at once. */
export function scanHintText(text: Buffer | string | ByteSource, sink: HintSink | ((entry: HintEntry) => void), options: HintTextOptions = {}): HintScanOutcome {
  return runSteps(hintTextSteps(text, sink, options));
}

/** All entries of a hint text at once (small files, tests). */
export function parseHintText(text: Buffer | string, options: HintTextOptions = {}): { ok: true; entries: HintEntry[]; summary: HintScanSummary } | { ok: false; error: string } {
  const entries: HintEntry[] = [];
  const outcome = scanHintText(text, (entry) => entries.push(entry), options);
  return outcome.ok ? { ok: true, entries, summary: outcome.summary } : outcome;
}
