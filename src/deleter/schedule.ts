import { parseCronExpression, type CronFields } from '../core/config/schedule.js';

/** A 5-field crontab expression that can tell its next slot after a given time (local time). */
export interface CronSchedule {
  readonly expression: string;
  /** The first slot strictly after `afterMs`, or null if none within the search horizon. */
  nextAfterMs(afterMs: number): number | null;
}

/**
 * Slots are looked for this far ahead. The rarest expression that fires at
 * all, `0 0 29 2 *`, waits at most 8 years (2096 to 2104).
 */
const HORIZON_DAYS = 9 * 366;
const MINUTE_MS = 60_000;

/** Schedule::Cron and Vixie cron: with both day fields restricted, either one matching is enough. */
function dayMatches(fields: CronFields, date: Date): boolean {
  const dayOfMonth = fields.daysOfMonth.has(date.getDate());
  const dayOfWeek = fields.daysOfWeek.has(date.getDay());
  return fields.dayOfMonthRestricted && fields.dayOfWeekRestricted ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
}

/** The first slot on the given local day strictly after `afterMs`, or null. */
function firstSlotOnDay(fields: CronFields, year: number, month: number, day: number, afterMs: number): number | null {
  for (const hour of fields.hours) {
    for (const minute of fields.minutes) {
      const date = new Date(year, month, day, hour, minute, 0, 0);
      if (date.getTime() <= afterMs) continue;
      // A local time skipped by a daylight-saving change does not exist.
      if (date.getHours() !== hour || date.getMinutes() !== minute || date.getDate() !== day) continue;
      return date.getTime();
    }
  }
  return null;
}

/**
 * Compiles a crontab expression (validated when the configuration was
 * loaded) into a schedule that walks the local days from a time given as
 * data, never from a clock.
 */
export function compileSchedule(expression: string): CronSchedule {
  const parsed = parseCronExpression(expression);
  if (!parsed.ok) throw new Error(`invalid crontab expression '${expression}': ${parsed.problem}`);
  const { fields } = parsed;
  return {
    expression,
    nextAfterMs(afterMs) {
      const start = new Date(Math.floor(afterMs / MINUTE_MS) * MINUTE_MS);
      // Noon: a daylight-saving change never moves it to another day.
      let day = new Date(start.getFullYear(), start.getMonth(), start.getDate(), 12);
      for (let i = 0; i < HORIZON_DAYS; i++) {
        if (fields.months.has(day.getMonth() + 1) && dayMatches(fields, day)) {
          const found = firstSlotOnDay(fields, day.getFullYear(), day.getMonth(), day.getDate(), afterMs);
          if (found !== null) return found;
        }
        day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1, 12);
      }
      return null;
    },
  };
}

const compiled = new Map<string, CronSchedule>();

/** compileSchedule, once per expression (the settings are rebuilt from each configuration snapshot). */
export function scheduleFor(expression: string): CronSchedule {
  let schedule = compiled.get(expression);
  if (schedule === undefined) {
    schedule = compileSchedule(expression);
    compiled.set(expression, schedule);
  }
  return schedule;
}
