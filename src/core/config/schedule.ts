import { validate } from 'node-cron';

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
 * A named interval or a 5-field crontab expression, normalized to single
 * spaces; undefined when it is neither (a 6-field expression with seconds is
 * rejected: the deleter's schedule has minute resolution).
 */
export function parseSchedule(value: string): string | undefined {
  const name = value.trim();
  if (Object.hasOwn(NAMED_SCHEDULES, name)) return NAMED_SCHEDULES[name];
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const expression = fields.join(' ');
  return validate(expression) ? expression : undefined;
}
