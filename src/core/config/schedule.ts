/** The named intervals of `deleter_queueprocinterval`, as 5-field crontab expressions. */
export const NAMED_SCHEDULES: Readonly<Record<string, string>> = Object.freeze({
  minutely: '* * * * *',
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  // Monday 00:00, as the Perl deleter ran it.
  weekly: '0 0 * * 1',
  monthly: '0 0 1 * *',
});

/**
 * A crontab expression expanded into the values each field allows, with the
 * Perl deleter's semantics (Schedule::Cron, like Vixie cron): when both day
 * fields are restricted, a day matches if EITHER matches.
 */
export interface CronFields {
  /** Ascending. */
  readonly minutes: readonly number[];
  /** Ascending. */
  readonly hours: readonly number[];
  /** 1–31. */
  readonly daysOfMonth: ReadonlySet<number>;
  /** 1–12. */
  readonly months: ReadonlySet<number>;
  /** 0–6, Sunday 0. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** The field is not `*`. */
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

export type CronParse = { readonly ok: true; readonly fields: CronFields } | { readonly ok: false; readonly problem: string };

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names, lower case. */
  readonly names?: Readonly<Record<string, number>>;
  /** A value written as the key means the value (day of month 0 is 1, day of week 7 is Sunday). */
  readonly alias?: Readonly<Record<number, number>>;
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

// Schedule::Cron's ranges: `*/n` steps through these, so `*/2` in day of
// month is 0,2,4… and 0 stands for 1 (days 1,2,4,…,30), and `*/3` in month is
// 0,3,6,9,12 (months 1,3,6,9,12). Kept: the Perl deleter ran on those days.
const FIELD_SPECS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 0, max: 31, alias: { 0: 1 } },
  { name: 'month', min: 0, max: 12, names: MONTH_NAMES, alias: { 0: 1 } },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, alias: { 7: 0 } },
];

/** A number, or a three-letter name where the field has names; undefined otherwise. */
function parseAtom(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const names = spec.names ?? {};
  const lower = text.toLowerCase();
  return Object.hasOwn(names, lower) ? names[lower] : undefined;
}

/** One value of a field, checked against its range after the alias (as Schedule::Cron does). */
function parseValue(text: string, spec: FieldSpec): number | string {
  const atom = parseAtom(text, spec);
  if (atom === undefined) return `'${text}' is not a number${spec.names === undefined ? '' : ' or a three-letter name'}`;
  const value = spec.alias?.[atom] ?? atom;
  return value < spec.min || value > spec.max ? `${text} is out of range ${spec.min}-${spec.max}` : value;
}

/** `a-b` or `a-b/step` (`*\/step` already rewritten to `min-max/step`), expanded. */
function parseRange(text: string, spec: FieldSpec): number[] | string | undefined {
  const match = /^([^-]+)-([^-/]+)(?:\/(.*))?$/.exec(text);
  if (match === null) return undefined;
  const [, lowText = '', highText = '', stepText = ''] = match;
  const low = parseAtom(lowText, spec);
  const high = parseAtom(highText, spec);
  // Schedule::Cron takes an empty or zero step as 1.
  if (!/^\d*$/.test(stepText)) return `'${text}' has a step that is not a number`;
  const step = Number(stepText) || 1;
  if (low === undefined || high === undefined || low > high) return `'${text}' is not a range from low to high`;
  const values: number[] = [];
  for (let v = low; v <= high; v += step) {
    const value = parseValue(String(v), spec);
    if (typeof value === 'string') return value;
    values.push(value);
  }
  return values;
}

function parseElement(element: string, spec: FieldSpec): number[] | string {
  const text = element.replace(/^\*(\/.+)$/, `${spec.min}-${spec.max}$1`);
  const range = parseRange(text, spec);
  if (range !== undefined) return range;
  const value = parseValue(text, spec);
  return typeof value === 'string' ? value : [value];
}

/** One field: `*`, or a comma-separated list of values, ranges and steps. Null means `*`. */
function parseField(field: string, spec: FieldSpec): ReadonlySet<number> | null | string {
  if (field === '*') return null;
  // Perl's split drops trailing empty fields: `1,15,` is `1,15`.
  const elements = field.replace(/,+$/, '').split(',');
  const values = new Set<number>();
  for (const element of elements) {
    const parsed = parseElement(element, spec);
    if (typeof parsed === 'string') return `${spec.name}: ${parsed}`;
    for (const v of parsed) values.add(v);
  }
  return values;
}

function allOf(spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (let v = spec.min; v <= spec.max; v++) values.add(spec.alias?.[v] ?? v);
  return values;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A day-of-month-only expression whose days no allowed month has (`0 0 30 2 *`) never fires. */
function neverFires(fields: CronFields): boolean {
  if (!fields.dayOfMonthRestricted || fields.dayOfWeekRestricted) return false;
  const shortest = Math.min(...[...fields.daysOfMonth]);
  return ![...fields.months].some((month) => shortest <= (DAYS_IN_MONTH[month - 1] ?? 0));
}

/** Expands `minute hour day-of-month month day-of-week`, with Schedule::Cron's syntax. Pure. */
export function parseCronExpression(expression: string): CronParse {
  const texts = expression.trim().split(/\s+/);
  if (texts.length !== 5) return { ok: false, problem: `expected 5 fields, found ${texts.length}` };
  const parsed: (ReadonlySet<number> | null)[] = [];
  for (const [i, spec] of FIELD_SPECS.entries()) {
    const field = parseField(texts[i] ?? '', spec);
    if (typeof field === 'string') return { ok: false, problem: field };
    parsed.push(field);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parsed.map((field, i) => field ?? allOf(FIELD_SPECS[i] as FieldSpec));
  const ascending = (values: ReadonlySet<number> | undefined): number[] => [...(values ?? [])].sort((a, b) => a - b);
  const fields: CronFields = {
    minutes: ascending(minutes),
    hours: ascending(hours),
    daysOfMonth: daysOfMonth ?? new Set(),
    months: months ?? new Set(),
    daysOfWeek: daysOfWeek ?? new Set(),
    dayOfMonthRestricted: parsed[2] !== null,
    dayOfWeekRestricted: parsed[4] !== null,
  };
  return neverFires(fields) ? { ok: false, problem: 'no month has that day: it never fires' } : { ok: true, fields };
}

/**
 * What the Perl deleter did with a value that contains white space: it had
 * to split into 5 fields, then one `"` at its start and one at its end were
 * stripped ("in case someone has been ambitious in the config"; the sample
 * configuration writes `ie "0 0 1 * *"`).
 */
function unquoteExpression(value: string): string | undefined {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  return fields.join(' ').replace(/^"/, '').replace(/"$/, '');
}

/**
 * A named interval or a 5-field crontab expression (optionally in double
 * quotes, as the Perl deleter accepted), normalized to single spaces;
 * undefined when it is neither. A 6-field expression with seconds is
 * rejected, as by the Perl deleter: the schedule has minute resolution.
 */
export function parseSchedule(value: string): string | undefined {
  const name = value.trim();
  if (Object.hasOwn(NAMED_SCHEDULES, name)) return NAMED_SCHEDULES[name];
  const expression = unquoteExpression(value);
  if (expression === undefined || !parseCronExpression(expression).ok) return undefined;
  return expression.trim().split(/\s+/).join(' ');
}
