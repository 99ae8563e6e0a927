import { keySpec, type KeySpec } from './keys.js';
import { expectationOf, invalidValueProblem, validateConfig, valueSchema } from './schema.js';
import { makeSnapshot, type ConfigSnapshot, type ConfigSource } from './snapshot.js';

export type OverrideOutcome =
  | { readonly ok: true; readonly snapshot: ConfigSnapshot }
  | { readonly ok: false; readonly error: string };

/** What an override entry does to the effective raw values. */
type EntryDecision = { kind: 'set'; value: string } | { kind: 'remove' } | { kind: 'reject'; error: string };

/** Empty as the Perl program saw it (a false value), except that 0 is a value. */
function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === false || (typeof value === 'string' && value.trim() === '');
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Check one override entry; JSON numbers and numeric strings are both accepted. */
export function decideOverrideEntry(key: string, value: unknown, file: string): EntryDecision {
  const spec: KeySpec | undefined = keySpec(key);
  if (spec === undefined) return { kind: 'reject', error: `${file}: ${key}: unknown key` };
  if (!spec.overridable) return { kind: 'reject', error: `${file}: ${key}: cannot be overridden (only in the main file)` };
  if (isEmpty(value)) return { kind: 'reject', error: `${file}: ${key}: empty value '${shown(value)}': ${expectationOf(spec)}` };
  const text = asString(value);
  const parsed = text === undefined ? undefined : valueSchema(spec).safeParse(text);
  if (text === undefined || parsed?.success !== true) {
    return { kind: 'reject', error: invalidValueProblem(file, spec, shown(value)) };
  }
  // An archiver threshold 2–9 set to 0 removes that threshold.
  if (spec.kind === 'threshold' && parsed.data === undefined) return { kind: 'remove' };
  return { kind: 'set', value: text };
}

/**
 * Apply the override data on the main-file snapshot. The whole file is
 * rejected (one-line error naming the file and the key) if any entry is bad
 * or the resulting thresholds are not increasing. Pure.
 */
export function applyOverride(
  base: ConfigSnapshot,
  data: Readonly<Record<string, unknown>>,
  overrideFile: string,
  mtimeMs: number,
): OverrideOutcome {
  const raw: Record<string, string> = { ...base.raw };
  const sources: Record<string, ConfigSource> = { ...base.sources };
  for (const key of Object.keys(data).sort()) {
    const decision = decideOverrideEntry(key, data[key], overrideFile);
    if (decision.kind === 'reject') return { ok: false, error: decision.error };
    if (decision.kind === 'remove') {
      delete raw[key];
      delete sources[key];
    } else {
      raw[key] = decision.value;
      sources[key] = 'override';
    }
  }
  const validated = validateConfig(raw, overrideFile);
  if (!validated.ok) return { ok: false, error: validated.problems[0] ?? `${overrideFile}: invalid override` };
  return { ok: true, snapshot: makeSnapshot({ values: validated.values, raw, sources, file: base.file, overrideMtimeMs: mtimeMs }) };
}
