import { describe, expect, it } from 'vitest';
import type { TapeSeedResult } from '../../../src/bench/tape/tape-bench.js';
import { planScaledConfig } from '../../../src/bench/tape/tape-config.js';
import { formatRealRunLine, formatSeedSection, formatTapeHeader, formatTapeSummary } from '../../../src/bench/tape/tape-report.js';
import { decideTapeTargets } from '../../../src/bench/tape/tape-targets.js';
import { defaultRetrieverSettings } from '../../../src/tape-model/policies.js';
import type { SimResult } from '../../../src/tape-model/simulate.js';

function row(policy: string, meanSec: number): SimResult {
  return {
    policy,
    sessions: 40,
    freshMounts: 36,
    followOns: 4,
    failedSessions: 0,
    volumesMounted: 30,
    avgTapeRemounts: 1.2,
    maxVolumeLoads: 2,
    drive: { mountSec: 1044, locateSec: 4000, transferSec: 5000, unmountSec: 6000, idleWhileWorkWaitedSec: 15_000 },
    makespanSec: 10_500,
    lowerBoundSec: 3600,
    latency: { meanSec, p95Sec: 2 * meanSec, maxSec: 3 * meanSec },
    landings: [],
  };
}

function seedResult(seed: number, realMeanSec: number): TapeSeedResult {
  const sims = [row('endit-rules (sim)', 4000), row('today (sim)', 3000), row('new (sim)', 2100)];
  const real = row('endit-retriever (fake drives)', realMeanSec);
  const waits = { maxWaitSec: 7000, boundSec: 9000 };
  return {
    seed,
    timeScale: 0.01,
    recalls: 600,
    volumes: 30,
    sims,
    real: { summary: { result: real, delivered: 600, dsmcSessions: 40, dsmcSessionsLost: 0 }, failedRecalls: 0, timedOut: false, emergencyKills: 0, startDelaysMs: [300, 250, 900], wallSec: 110 },
    config: planScaledConfig(defaultRetrieverSettings(3), 0.01, 0.001),
    shiftedFiles: 2,
    maxShiftBytes: 50e9,
    waits,
    verdicts: decideTapeTargets({ run: real, today: sims[1] as SimResult, enditRules: sims[0] as SimResult, waits, emergencyKills: 0 }),
  };
}

describe('the bench:tape report', () => {
  it('a seed: the three simulator rows and the real one in one table, the real run line, the targets', () => {
    const text = formatSeedSection(seedResult(1, 2000), false);
    const lines = text.split('\n');
    expect(lines[0]).toBe('seed 1: 600 recalls on 30 volumes');
    for (const name of ['endit-rules (sim)', 'today (sim)', 'new (sim)', 'endit-retriever (fake drives)']) expect(lines.some((l) => l.startsWith(name))).toBe(true);
    expect(text).toMatch(/^ {2}met {5}mean latency ≤ 0\.75× today's +2000 s \(limit 2250 s\)$/m);
    expect(text).toMatch(/^ {2}MISSED {2}avgtaperemounts ≤ 1\.15 +1\.20 \(limit 1\.15\)$/m);
  });

  it('the real run line: deliveries, sessions, kills, waits, dsmc start-up real and simulated, moved files, wall time', () => {
    expect(formatRealRunLine(seedResult(1, 2000))).toBe(
      'endit-retriever (fake drives): 600 of 600 recalls delivered; 40 dsmc sessions; 0 emergency kills; longest wait for a drive 7000 s (bound 9000 s); ' +
        'dsmc start-up median 0.30 s (30 s simulated), max 0.90 s (90 s simulated) (not drive time: the first mount is dated at the process start); 2 traced file(s) moved on tape past one they overlapped, by at most 46.6 GiB; 110 s wall',
    );
  });

  it('the summary: mean rows, and the targets on the means with the seeds that met each', () => {
    const text = formatTapeSummary([seedResult(1, 2000), seedResult(2, 2400)], true);
    expect(text).toMatch(/^#### mean over 2 seed\(s\)$/m);
    expect(text).toMatch(/^\| endit-retriever \(fake drives\) \| 40 \| 36 \|/m);
    expect(text).toContain("| mean latency ≤ 0.75× today's | 2200 s (limit 2250 s); met in 1 of 2 seeds | met |");
    expect(text).toContain('| avgtaperemounts ≤ 1.15 | 1.20 (limit 1.15); met in 0 of 2 seeds | **missed** |');
  });

  it('the header names the scales and the keys that rounded', () => {
    const header = formatTapeHeader({ drives: 3, recalls: 600, volumes: 30, timeScale: 0.01, byteScale: 0.001, deviations: ['sleeptime 60 s → 100 s'] });
    expect(header).toContain('time scale 0.01 (a simulated second in 10 ms)');
    expect(header).toContain('played so by every row: sleeptime 60 s → 100 s');
  });
});
