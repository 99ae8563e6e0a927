import { createTask, parse, type ScheduledTask } from 'node-cron';

/** A 5-field crontab expression that can tell its next slot after a given time (local time). */
export interface CronSchedule {
  readonly expression: string;
  /** The first slot strictly after `afterMs`, or null if none within the search horizon. */
  nextAfterMs(afterMs: number): number | null;
}

/** Slots are looked for this far ahead; an expression such as `0 0 30 2 *` never fires. */
const HORIZON_DAYS = 5 * 366;
const MINUTE_MS = 60_000;

function sortedNumbers(values: readonly (number | string)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
}

/**
 * Compiles an expression with node-cron (which also validated it when the
 * configuration was loaded). node-cron decides whether a time matches, with
 * its semantics (day of month AND day of week, `L`, `#`); this walks the days
 * itself so that the current time comes in as data, never from a clock.
 */
export function compileSchedule(expression: string): CronSchedule {
  const fields = parse(expression);
  // An unstarted task: node-cron's matcher, no timer.
  const task: ScheduledTask = createTask(expression, () => undefined);
  const minutes = sortedNumbers(fields.minute);
  const hours = sortedNumbers(fields.hour);
  const months = new Set(sortedNumbers(fields.month));

  const firstOnDay = (year: number, month: number, day: number, afterMs: number): number | null | 'no-day' => {
    for (const hour of hours) {
      for (const minute of minutes) {
        const date = new Date(year, month, day, hour, minute, 0, 0);
        if (date.getTime() <= afterMs) continue;
        // A local time skipped by a daylight-saving change does not exist.
        if (date.getHours() !== hour || date.getMinutes() !== minute || date.getDate() !== day) continue;
        // Minute, hour and month match by construction: a mismatch is the day itself.
        return task.match(date) ? date.getTime() : 'no-day';
      }
    }
    return null;
  };

  return {
    expression,
    nextAfterMs(afterMs) {
      const start = new Date(Math.floor(afterMs / MINUTE_MS) * MINUTE_MS);
      let year = start.getFullYear();
      let month = start.getMonth();
      let day = start.getDate();
      for (let i = 0; i < HORIZON_DAYS; i++) {
        if (months.has(month + 1)) {
          const found = firstOnDay(year, month, day, afterMs);
          if (typeof found === 'number') return found;
        }
        const next = new Date(year, month, day + 1, 12);
        year = next.getFullYear();
        month = next.getMonth();
        day = next.getDate();
      }
      return null;
    },
  };
}

const compiled = new Map<string, CronSchedule>();

/** compileSchedule, once per expression (node-cron keeps every task it creates in a registry). */
export function scheduleFor(expression: string): CronSchedule {
  let schedule = compiled.get(expression);
  if (schedule === undefined) {
    schedule = compileSchedule(expression);
    compiled.set(expression, schedule);
  }
  return schedule;
}
