import { describe, expect, it } from 'vitest';
import { createTestPool, readLog, readStats, startDaemon, waitFor } from './harness.js';

describe('endit-deleter with deleter_queueprocinterval as Perl sites write it', () => {
  it('fault 1: a quoted crontab value starts the deleter, which plans its next run on the next Friday or 13th', async () => {
    const pool = createTestPool({ deleter_queueprocinterval: '"0 0 13 * 5"' });
    const daemon = startDaemon('deleter', pool);
    await waitFor(() => readStats(pool, 'deleter') !== null || daemon.child.exitCode !== null, 'stats written or the deleter gone');
    expect(daemon.child.exitCode, daemon.stderr()).toBeNull();
    const nextRun = new Date((readStats(pool, 'deleter')?.['deleter_nextrun_time'] ?? 0) * 1000);
    // Slot 00:00 plus a skew of 0–59 s, at most 7 days ahead.
    expect(nextRun.getHours()).toBe(0);
    expect(nextRun.getMinutes()).toBe(0);
    expect(nextRun.getDay() === 5 || nextRun.getDate() === 13).toBe(true);
    expect(nextRun.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000 + 60_000);
    expect(readLog(pool, 'deleter')).not.toMatch(/Error|Warning/);
  });
});
