import { describe, expect, it } from 'vitest';
import { formatDeleterNextRuns, formatLocalIso } from '../../src/cli/next-runs.js';
import { createFixture, endit } from './helpers.js';

/** Local time, so the tests hold in any time zone. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0): number => new Date(y, mo - 1, d, h, mi).getTime();

describe('formatLocalIso', () => {
  it.each([at(2024, 1, 15, 10, 30), at(2024, 7, 1), Date.UTC(2024, 2, 31, 1, 30)])('%d is ISO 8601 with the local offset', (ms) => {
    const text = formatLocalIso(ms);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(Date.parse(text)).toBe(ms);
    expect(Number(text.slice(11, 13))).toBe(new Date(ms).getHours());
  });
});

describe('formatDeleterNextRuns', () => {
  it('prints the next three slots, one per line', () => {
    const lines = formatDeleterNextRuns({ deleter_queueprocinterval: '0 0 13 * 5' }, at(2024, 9, 1));
    expect(lines).toEqual([at(2024, 9, 6), at(2024, 9, 13), at(2024, 9, 20)].map((ms) => `deleter next run: ${formatLocalIso(ms)}`));
  });
});

describe('endit check-config shows when the deleter runs', () => {
  it('fault 1: a quoted crontab value is valid and its next three runs are every Friday and every 13th', async () => {
    const f = createFixture({ deleter_queueprocinterval: '"0 0 13 * 5"' });
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const runs = out.split('\n').filter((line) => line.startsWith('deleter next run: ')).map((line) => new Date(line.slice('deleter next run: '.length)));
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      expect(run.getHours() * 60 + run.getMinutes()).toBe(0);
      expect(run.getDay() === 5 || run.getDate() === 13).toBe(true);
    }
    expect(runs.map((r) => r.getTime())).toEqual([...runs.map((r) => r.getTime())].sort((a, b) => a - b));
    // Within a week of each other: Fridays at least, not only Friday the 13th.
    expect((runs[2]?.getTime() ?? 0) - (runs[0]?.getTime() ?? 0)).toBeLessThanOrEqual(14 * 86_400_000);
  });
});
