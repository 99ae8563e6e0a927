import * as z from 'zod';
import { KEY_TABLE, THRESHOLD_KEYS, type ConfigKey, type KeyDef, type KeyDefs, type KeySpec } from './keys.js';
import { coordinationProblems } from './coordination-check.js';
import { parseSchedule } from './schedule.js';

type BaseValue<D extends KeyDef> = D['kind'] extends 'string' | 'name' | 'path' | 'schedule'
  ? string
  : D['kind'] extends 'posint' | 'nonnegint' | 'decimal' | 'percent'
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
    case 'decimal':
      return 'expected a non-negative decimal number such as 72 or 0.5';
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

const integer = z
  .string()
  .regex(/^\d+$/)
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n));

/** Digits with an optional fraction (`72`, `0.072`); no sign, exponent or bare point. */
const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number)
  .refine((n) => Number.isFinite(n));

function kindSchema(spec: KeySpec): z.ZodType<unknown, string> {
  switch (spec.kind) {
    case 'string':
    case 'path':
      return z.string().min(1);
    case 'name':
      return z
        .string()
        .regex(FILE_NAME_WORD)
        .refine((v) => v !== '.' && v !== '..');
    case 'posint':
      return integer.refine((n) => n >= 1);
    case 'nonnegint':
      return integer;
    case 'decimal':
      return decimal;
    case 'threshold':
      return integer.transform((n) => (n === 0 ? undefined : n));
    case 'percent':
      return integer.refine((n) => n >= 1 && n <= 100);
    case 'optionList':
      return z
        .string()
        .transform(splitOptionList)
        .refine((list) => list.length > 0);
    case 'bool01':
      return z.enum(['0', '1']).transform((v) => v === '1');
    case 'enum':
      return z.string().refine((v) => spec.options.includes(v));
    case 'schedule':
      return z.string().transform((v, ctx) => {
        const expression = parseSchedule(v);
        if (expression !== undefined) return expression;
        ctx.addIssue({ code: 'custom', message: 'invalid schedule' });
        return z.NEVER;
      });
  }
}

function buildValueSchema(spec: KeySpec): z.ZodType<unknown, string | undefined> {
  const schema = kindSchema(spec);
  if (spec.required || spec.default !== undefined) return schema;
  return spec.kind === 'optionList' ? schema.optional().transform((v) => v ?? []) : schema.optional();
}

const VALUE_SCHEMAS = new Map(KEY_TABLE.map((spec) => [spec.name, buildValueSchema(spec)]));

/** The schema of one value as it appears in a file (a string). */
export function valueSchema(spec: KeySpec): z.ZodType<unknown, string | undefined> {
  return VALUE_SCHEMAS.get(spec.name) ?? buildValueSchema(spec);
}

/** The whole configuration, derived from the key table. */
export const configSchema = z.object(Object.fromEntries(VALUE_SCHEMAS)) as unknown as z.ZodType<
  ConfigValues,
  Record<string, string | undefined>
>;

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

/** One problem per bad key, in table order. */
function schemaProblems(error: z.ZodError, raw: RawConfig, file: string): string[] {
  const badKeys = new Set(error.issues.map((issue) => issue.path[0]));
  return KEY_TABLE.filter((spec) => badKeys.has(spec.name)).map((spec) => issueProblem(raw, file, spec));
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

/** Validate the effective raw values (defaults already filled in) into ConfigValues. */
export function validateConfig(raw: RawConfig, file: string): ValidateOutcome {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error, raw, file) };
  const threshold = thresholdProblem(parsed.data, raw, file);
  const problems = [...(threshold === undefined ? [] : [threshold]), ...coordinationProblems(parsed.data, raw, file)];
  return problems.length === 0 ? { ok: true, values: parsed.data } : { ok: false, problems };
}
