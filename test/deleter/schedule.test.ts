import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NAMED_SCHEDULES, parseSchedule } from '../../src/core/config/index.js';
import { parseCronExpression } from '../../src/core/config/schedule.js';
import { compileSchedule, scheduleFor } from '../../src/deleter/schedule.js';

/** Local time, so the tests hold in any time zone. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('deleter_queueprocinterval parsing', () => {
  it.each([
    ['minutely', '* * * * *'],
    ['hourly', '0 * * * *'],
    ['daily', '0 0 * * *'],
    ['monthly', '0 0 1 * *'],
    ['  30   2 * *   1-5 ', '30 2 * * 1-5'],
    ['*/15 * * * *', '*/15 * * * *'],
    // Schedule::Cron's syntax: three-letter names in any case, lists of ranges, a trailing comma.
    ['0 11 * * Mon-Fri', '0 11 * * Mon-Fri'],
    ['42 12 3 Feb Sat', '42 12 3 Feb Sat'],
    ['0 0 1,15, jan-mar,OCT sun,7', '0 0 1,15, jan-mar,OCT sun,7'],
    ['0-59/5 0 0 0 7', '0-59/5 0 0 0 7'],
  ])('%j → %j', (value, expression) => {
    expect(parseSchedule(value)).toBe(expression);
  });

  it('fault 1: a value in double quotes, as the Perl sample configuration writes it, is accepted', () => {
    expect(parseSchedule('"0 0 1 * *"')).toBe('0 0 1 * *');
    expect(parseSchedule('"30 2  * * 1-5"')).toBe('30 2 * * 1-5');
    // As in Perl: the value must split into 5 fields first, one quote is stripped at each end.
    expect(parseSchedule('" 0 0 1 * *"')).toBeUndefined();
    expect(parseSchedule('""0 0 1 * *""')).toBeUndefined();
    expect(parseSchedule('"monthly"')).toBeUndefined();
  });

  it.each([
    'fortnightly',
    '* * * *',
    '0 0 0 1 * *', // seconds: the Perl deleter also required 5 fields
    '61 * * * *',
    '0 25 * * *',
    '',
    '0 12 L * *', // node-cron and Quartz extensions that Schedule::Cron does not know
    '0 12 15W * *',
    '0 12 * * 5L',
    '0 12 * * 1#2',
    '0 12 ? * 1',
    '0 12 * * monday', // names are three letters
    '0 12 * * fri-mon', // no wrap-around
    '*,5 * * * *',
    '5/10 * * * *', // a step needs a range or *
    '*/x * * * *',
    '0 0 32 * *',
    '0 0 * 13 *',
    '0 0 * * 8',
    '0 0 30 2 *', // never fires
    '0 0 31 4,6,9,11 *',
  ])('rejects %j', (value) => {
    expect(parseSchedule(value)).toBeUndefined();
  });

  it('every named schedule compiles', () => {
    for (const expression of Object.values(NAMED_SCHEDULES)) expect(() => compileSchedule(expression)).not.toThrow();
  });
});

describe('parseCronExpression expands fields as Schedule::Cron does', () => {
  const fieldsOf = (expression: string) => {
    const parsed = parseCronExpression(expression);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.fields;
  };

  it.each([
    // expression, days of month, months, days of week
    ['0 0 * * *', 31, 12, 7],
    ['0 0 0 0 7', [1], [1], [0]], // 0 is the 1st and January, 7 is Sunday
    ['0 0 */2 * *', [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], 12, 7], // 0-31/2, 0 being the 1st
    ['0 0 * */3 *', 31, [1, 3, 6, 9, 12], 7], // 0-12/3, 0 being January
    ['0 0 * * */2', 31, 12, [0, 2, 4, 6]],
    ['0 0 * * 5-7', 31, 12, [0, 5, 6]],
    ['0 0 1-10/0 * *', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 12, 7], // a zero step is 1
  ])('%s', (expression, days, months, weekdays) => {
    const f = fieldsOf(expression);
    const check = (set: ReadonlySet<number>, expected: number | number[]) =>
      typeof expected === 'number' ? expect(set.size).toBe(expected) : expect([...set].sort((a, b) => a - b)).toEqual(expected);
    check(f.daysOfMonth, days);
    check(f.months, months);
    check(f.daysOfWeek, weekdays);
  });

  it('a day field is restricted unless it is exactly *', () => {
    expect(fieldsOf('0 0 * * *')).toMatchObject({ dayOfMonthRestricted: false, dayOfWeekRestricted: false });
    expect(fieldsOf('0 0 */1 * 1-7')).toMatchObject({ dayOfMonthRestricted: true, dayOfWeekRestricted: true });
  });

  it('names the field of a problem', () => {
    expect(parseCronExpression('0 0 13 * fry')).toEqual({ ok: false, problem: "day of week: 'fry' is not a number or a three-letter name" });
    expect(parseCronExpression('0 24 * * *')).toEqual({ ok: false, problem: 'hour: 24 is out of range 0-23' });
  });
});

describe('compileSchedule().nextAfterMs', () => {
  it.each([
    // expression, after, expected next slot
    ['0 0 1 * *', at(2024, 1, 15, 10, 30), at(2024, 2, 1)],
    ['0 0 1 * *', at(2024, 12, 31, 23, 59, 59), at(2025, 1, 1)],
    ['0 0 1 * *', at(2024, 2, 1), at(2024, 3, 1)], // strictly after: the slot itself is past
    ['0 0 1 * *', at(2024, 2, 1) - 1, at(2024, 2, 1)],
    ['* * * * *', at(2024, 5, 5, 5, 5, 30), at(2024, 5, 5, 5, 6)],
    ['0 * * * *', at(2024, 5, 5, 5, 0), at(2024, 5, 5, 6, 0)],
    ['0 0 * * *', at(2024, 2, 28, 12), at(2024, 2, 29)], // leap day
    ['0 0 * * 0', at(2024, 6, 5, 12), at(2024, 6, 9)], // Wednesday → Sunday
    ['0 0 * * 7', at(2024, 6, 5, 12), at(2024, 6, 9)], // 7 is Sunday too
    ['30 2 * * 1-5', at(2024, 6, 7, 3), at(2024, 6, 10, 2, 30)], // Friday after 02:30 → Monday
    ['30 2 * * mon-FRI', at(2024, 6, 7, 3), at(2024, 6, 10, 2, 30)],
    ['*/15 * * * *', at(2024, 1, 1, 0, 14), at(2024, 1, 1, 0, 15)],
    ['0 0 29 2 *', at(2024, 3, 1), at(2028, 2, 29)],
    ['0 0 29 2 *', at(2096, 3, 1), at(2104, 2, 29)], // 2100 is no leap year: the longest wait
    ['42 12 3 Feb Sat', at(2024, 1, 1), at(2024, 2, 3, 12, 42)], // the 3rd of February, a Saturday
    ['42 12 3 Feb Sat', at(2024, 2, 3, 13), at(2024, 2, 10, 12, 42)], // then each Saturday in February
  ])('%s after %d → %d', (expression, after, expected) => {
    expect(compileSchedule(expression).nextAfterMs(after)).toBe(expected);
  });

  it('fault 1: with both day fields restricted either one matching is enough, as in Perl (every Friday and every 13th)', () => {
    const s = compileSchedule('0 0 13 * 5');
    const runs: number[] = [];
    let t = at(2024, 9, 1);
    for (let i = 0; i < 6; i++) runs.push((t = s.nextAfterMs(t) ?? Number.NaN));
    // 2024-09-06 Fri, 09-13 Fri and 13th, 09-20 Fri, 09-27 Fri, 10-04 Fri, 10-11 Fri.
    expect(runs).toEqual([at(2024, 9, 6), at(2024, 9, 13), at(2024, 9, 20), at(2024, 9, 27), at(2024, 10, 4), at(2024, 10, 11)]);
    expect(s.nextAfterMs(at(2024, 10, 11))).toBe(at(2024, 10, 13)); // a Sunday, but the 13th
  });

  it('with one day field restricted only that one counts', () => {
    expect(compileSchedule('0 0 13 * *').nextAfterMs(at(2024, 9, 6))).toBe(at(2024, 9, 13));
    expect(compileSchedule('0 0 * * 5').nextAfterMs(at(2024, 9, 6))).toBe(at(2024, 9, 13));
    expect(compileSchedule('0 0 * * 5').nextAfterMs(at(2024, 9, 13))).toBe(at(2024, 9, 20));
  });

  it('depends only on the time given, not on a clock', () => {
    const s = compileSchedule('0 0 1 * *');
    expect(s.nextAfterMs(at(1999, 12, 15))).toBe(at(2000, 1, 1));
    expect(s.nextAfterMs(at(2100, 6, 15))).toBe(at(2100, 7, 1));
  });

  it('refuses an expression that does not parse', () => {
    expect(() => compileSchedule('0 0 30 2 *')).toThrow(/never fires/);
  });

  it('scheduleFor compiles each expression once', () => {
    expect(scheduleFor('5 4 * * *')).toBe(scheduleFor('5 4 * * *'));
    expect(scheduleFor('5 4 * * *').expression).toBe('5 4 * * *');
  });
});

describe('daylight-saving changes (Europe/Stockholm, in a process started with that TZ)', () => {
  // Date resolves the local time zone once, so TZ must be set before the process starts.
  const script = `
    const { compileSchedule } = await import(${JSON.stringify(new URL('../../dist/deleter/schedule.js', import.meta.url).href)});
    const at = (y, mo, d, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
    const iso = (ms) => ms === null ? null : new Date(ms).toISOString();
    console.log(JSON.stringify([
      iso(compileSchedule('30 2 * * *').nextAfterMs(at(2024, 3, 30, 12))),
      iso(compileSchedule('0 3 * * *').nextAfterMs(at(2024, 3, 30, 12))),
      iso(compileSchedule('30 2 * * *').nextAfterMs(at(2024, 10, 26, 12))),
    ]));`;

  it('skips a local time that does not exist on the day clocks go forward (needs the build)', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: 'Europe/Stockholm' }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      '2024-04-01T00:30:00.000Z', // 2024-03-31 02:30 does not exist: the next day, 02:30 CEST
      '2024-03-31T01:00:00.000Z', // 03:00 CEST
      '2024-10-27T00:30:00.000Z', // 02:30 happens twice when clocks go back: the first (CEST)
    ]);
  });
});
