import type { ConfigValues } from '../core/config/index.js';
import { scheduleFor } from '../deleter/schedule.js';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time in ISO 8601 with its UTC offset, e.g. `2024-02-01T00:00:00+01:00`, as an administrator reads the schedule. */
export function formatLocalIso(timeMs: number): string {
  const d = new Date(timeMs);
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * `deleter next run: <time>` for the next `count` slots of
 * `deleter_queueprocinterval` after `nowMs` (the daemon adds its 0–59 s
 * start-up skew to each). Pure.
 */
export function formatDeleterNextRuns(values: Pick<ConfigValues, 'deleter_queueprocinterval'>, nowMs: number, count = 3): string[] {
  const schedule = scheduleFor(values.deleter_queueprocinterval);
  const lines: string[] = [];
  let afterMs = nowMs;
  for (let i = 0; i < count; i++) {
    const next = schedule.nextAfterMs(afterMs);
    if (next === null) break;
    lines.push(`deleter next run: ${formatLocalIso(next)}`);
    afterMs = next;
  }
  return lines;
}
