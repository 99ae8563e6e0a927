import { KEY_TABLE, THRESHOLD_KEYS, type ConfigKey, type KeyDef, type KeyDefs, type KeySpec } from './keys.js';
import { parseSchedule } from './schedule.js';

type BaseValue<D extends KeyDef> = D['kind'] extends 'string' | 'name' | 'path' | 'schedule'
  ? string
  : D['kind'] extends 'posint' | 'nonnegint' | 'percent'
    ? number
    : D['kind'] extends 'threshold'
      ? number | undefined
      : D['kind'] extends 'optionList'
        ? readonly string[]
        : D['kind'] extends 'bool01'
          ? boolean
          : D extends { readonly options: readonly (infer O)[] }
            ? O
            : never;

/** Keys that are neither required nor defaulted may be unset (an unset option list is empty). */
type ValueOf<D extends KeyDef> = D extends { readonly required: true } | { readonly default: string }
  ? BaseValue<D>
  : D['kind'] extends 'optionList'
    ? readonly string[]
    : BaseValue<D> | undefined;

/**
 * The validated configuration, keyed exactly as in the file. Units stay as in
 * the file (seconds, GiB, percent); thresholds 2–9 are undefined when unset or
 * 0; `deleter_queueprocinterval` is a 5-field crontab expression.
 */
export type ConfigValues = { readonly [K in ConfigKey]: ValueOf<KeyDefs[K]> };

export type RawConfig = Readonly<Record<string, string>>;

export type ValidateOutcome =
  | { readonly ok: true; readonly values: ConfigValues }
  | { readonly ok: false; readonly problems: readonly string[] };

/** What a value of this key must look like, for error messages. */
export function expectationOf(spec: KeySpec): string {
  switch (spec.kind) {
    case 'string':
      return 'expected a non-empty string';
    case 'name':
      return "expected letters, digits, '.', '_' and '-' only (not . or ..): it is used in file names";
    case 'path':
      return 'expected a path';
    case 'posint':
      return 'expected a positive integer';
    case 'nonnegint':
      return 'expected a non-negative integer';
    case 'threshold':
      return 'expected a non-negative integer (0: unset)';
    case 'percent':
      return 'expected an integer percentage from 1 to 100';
    case 'optionList':
      return "expected a list of options separated by ', '";
    case 'bool01':
      return 'expected 0 or 1';
    case 'enum':
      return `expected one of ${spec.options.join(', ')}`;
    case 'schedule':
      return 'expected minutely, hourly, daily, weekly, monthly or a 5-field crontab expression';
  }
}

/** Split a ", "-separated option list; items are trimmed and empty ones dropped. */
export function splitOptionList(value: string): string[] {
  return value
    .split(', ')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** What may go into a file name we build: no `/`, no white space, nothing a shell or a path would read. */
const FILE_NAME_WORD = /^[A-Za-z0-9._-]+$/;

/** What a value is not. */
const INVALID: unique symbol = Symbol('invalid');
type Parsed = unknown;

/** A decimal integer within JavaScript's safe range, or INVALID. */
function parseInteger(text: string): number | typeof INVALID {
  if (!/^\d+$/.test(text)) return INVALID;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : INVALID;
}

/** An integer accepted by `ok`, or INVALID. */
function integerWhere(text: string, ok: (n: number) => boolean): number | typeof INVALID {
  const n = parseInteger(text);
  return n !== INVALID && ok(n) ? n : INVALID;
}

/**
 * The value of a key of this kind as the file spells it, or INVALID. Plain
 * code: a validation library cost every daemon 170 ms of CPU and 16 MiB of
 * memory to load, for eleven kinds of value.
 */
function parseKind(spec: KeySpec, text: string): Parsed | typeof INVALID {
  switch (spec.kind) {
    case 'string':
    case 'path':
      return text.length > 0 ? text : INVALID;
    case 'name':
      return FILE_NAME_WORD.test(text) && text !== '.' && text !== '..' ? text : INVALID;
    case 'posint':
      return integerWhere(text, (n) => n >= 1);
    case 'nonnegint':
      return parseInteger(text);
    case 'threshold': {
      const n = parseInteger(text);
      return n === 0 ? undefined : n;
    }
    case 'percent':
      return integerWhere(text, (n) => n >= 1 && n <= 100);
    case 'optionList': {
      const list = splitOptionList(text);
      return list.length > 0 ? list : INVALID;
    }
    case 'bool01':
      return text === '0' || text === '1' ? text === '1' : INVALID;
    case 'enum':
      return spec.options.includes(text) ? text : INVALID;
    case 'schedule':
      return parseSchedule(text) ?? INVALID;
  }
}

/**
 * One value as it appears in a file (absent: undefined): `ok` with what it
 * means, or not. An absent key is fine when it is neither required nor
 * defaulted (an absent option list is empty).
 */
export function parseConfigValue(spec: KeySpec, text: string | undefined): { readonly ok: true; readonly value: Parsed } | { readonly ok: false } {
  if (text === undefined) {
    if (spec.required || spec.default !== undefined) return { ok: false };
    return { ok: true, value: spec.kind === 'optionList' ? [] : undefined };
  }
  const value = parseKind(spec, text);
  return value === INVALID ? { ok: false } : { ok: true, value };
}

export function invalidValueProblem(file: string, spec: KeySpec, value: string): string {
  return `${file}: ${spec.name}: invalid value '${value}': ${expectationOf(spec)}`;
}

function missingProblem(file: string, spec: KeySpec): string {
  return `${file}: ${spec.name}: required key missing: ${expectationOf(spec)}`;
}

function issueProblem(raw: RawConfig, file: string, spec: KeySpec): string {
  const value = raw[spec.name];
  return value === undefined ? missingProblem(file, spec) : invalidValueProblem(file, spec, value);
}

/**
 * Every set archiver threshold must exceed every lower set one (the Perl
 * check never advanced its "previous" value). Returns the problem, if any.
 */
export function thresholdProblem(values: ConfigValues, raw: RawConfig, file: string): string | undefined {
  let highest: { key: string; usage: number } | undefined;
  for (const { sessions, usageGiB } of archiverThresholds(values)) {
    const key = `archiver_threshold${sessions}_usage`;
    if (highest !== undefined && usageGiB <= highest.usage) {
      return `${file}: ${key}: invalid value '${raw[key] ?? usageGiB}': expected more than ${highest.key} (${highest.usage})`;
    }
    highest = { key, usage: usageGiB };
  }
  return undefined;
}

/** The set archiver thresholds in order: N sessions above `usageGiB`. */
export function archiverThresholds(values: ConfigValues): { sessions: number; usageGiB: number }[] {
  return THRESHOLD_KEYS.flatMap((key, i) => {
    const usageGiB = values[key];
    return usageGiB === undefined ? [] : [{ sessions: i + 1, usageGiB }];
  });
}

/**
 * Validate the effective raw values (defaults already filled in) into
 * ConfigValues, keyed in table order; an absent optional key stays absent
 * (an absent option list is empty). One problem per bad key, in table order.
 */
export function validateConfig(raw: RawConfig, file: string): ValidateOutcome {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const spec of KEY_TABLE) {
    const text = Object.hasOwn(raw, spec.name) ? raw[spec.name] : undefined;
    const parsed = parseConfigValue(spec, text);
    if (!parsed.ok) problems.push(issueProblem(raw, file, spec));
    else if (text !== undefined || parsed.value !== undefined) values[spec.name] = parsed.value;
  }
  if (problems.length > 0) return { ok: false, problems };
  const problem = thresholdProblem(values as ConfigValues, raw, file);
  return problem === undefined ? { ok: true, values: values as ConfigValues } : { ok: false, problems: [problem] };
}
