import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NAMED_SCHEDULES, parseSchedule } from '../../src/core/config/index.js';
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
  ])('%j → %j', (value, expression) => {
    expect(parseSchedule(value)).toBe(expression);
  });

  it.each(['fortnightly', '* * * *', '0 0 0 1 * *', '61 * * * *', '0 25 * * *', ''])('rejects %j', (value) => {
    expect(parseSchedule(value)).toBeUndefined();
  });

  it('every named schedule compiles', () => {
    for (const expression of Object.values(NAMED_SCHEDULES)) expect(() => compileSchedule(expression)).not.toThrow();
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
    ['30 2 * * 1-5', at(2024, 6, 7, 3), at(2024, 6, 10, 2, 30)], // Friday after 02:30 → Monday
    ['*/15 * * * *', at(2024, 1, 1, 0, 14), at(2024, 1, 1, 0, 15)],
    ['0 0 29 2 *', at(2024, 3, 1), at(2028, 2, 29)],
    ['0 12 L * *', at(2024, 4, 2), at(2024, 4, 30, 12)],
  ])('%s after %d → %d', (expression, after, expected) => {
    expect(compileSchedule(expression).nextAfterMs(after)).toBe(expected);
  });

  it('uses node-cron semantics: day of month and day of week must both match', () => {
    // The 13th that is a Friday (2024-09-13).
    expect(compileSchedule('0 0 13 * 5').nextAfterMs(at(2024, 1, 1))).toBe(at(2024, 9, 13));
  });

  it('returns null when the next slot is beyond five years', () => {
    // 29 February on a Monday: 2044 is the next after 2016.
    expect(compileSchedule('0 0 29 2 1').nextAfterMs(at(2024, 1, 1))).toBeNull();
    expect(compileSchedule('0 0 29 2 1').nextAfterMs(at(2040, 1, 1))).toBe(at(2044, 2, 29));
  });

  it('node-cron rejects an impossible date at configuration time', () => {
    expect(parseSchedule('0 0 30 2 *')).toBeUndefined();
  });

  it('depends only on the time given, not on a clock', () => {
    const s = compileSchedule('0 0 1 * *');
    expect(s.nextAfterMs(at(1999, 12, 15))).toBe(at(2000, 1, 1));
    expect(s.nextAfterMs(at(2100, 6, 15))).toBe(at(2100, 7, 1));
  });

  it('scheduleFor compiles each expression once', () => {
    expect(scheduleFor('5 4 * * *')).toBe(scheduleFor('5 4 * * *'));
    expect(scheduleFor('5 4 * * *').expression).toBe('5 4 * * *');
  });
});

describe('daylight-saving changes (Europe/Stockholm, in a process started with that TZ)', () => {
  // node-cron resolves the local time zone once, so TZ must be set before the process starts.
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
