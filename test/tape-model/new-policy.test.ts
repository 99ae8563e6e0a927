import { describe, expect, it } from 'vitest';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';
import { compareSeed, meanResult, parseCompareArgs, type CompareOptions } from '../../src/tape-model/compare-report.js';
import { createNewPolicy, createTodayPolicy, defaultRetrieverSettings } from '../../src/tape-model/policies.js';
import { simulate, type SimResult } from '../../src/tape-model/simulate.js';
import { DEFAULT_TRACE_SPEC, generateTrace } from '../../src/tape-model/trace.js';

const settings = defaultRetrieverSettings(LTO9_LIBRARY.drives);

/** Issue 11's new policy against today's on seeds 1–3 (deterministic: no wall clock). */
describe.each([1, 2, 3])('new policy, seed %i', (seed) => {
  const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed });
  const today = simulate(trace, createTodayPolicy(settings), LTO9_LIBRARY);
  const next = simulate(trace, createNewPolicy(settings), LTO9_LIBRARY);

  it('rides tapes still mounted, and mounts less often than today', () => {
    expect(next.followOns).toBeGreaterThan(0);
    expect(today.followOns).toBe(0);
    expect(next.avgTapeRemounts).toBeLessThan(today.avgTapeRemounts);
    expect(next.freshMounts).toBeLessThan(today.freshMounts);
  });

  it('is no worse than today in mean and p95 latency and makespan', () => {
    expect(next.latency.meanSec).toBeLessThan(today.latency.meanSec);
    expect(next.latency.p95Sec).toBeLessThanOrEqual(today.latency.p95Sec);
    expect(next.makespanSec).toBeLessThanOrEqual(today.makespanSec);
  });

  it('lets no request wait for a drive longer than retriever_reqlistfillwaitmax plus one session', () => {
    const longestSessionMs = Math.max(...next.landings.map((l) => l.landedMs - l.driveStartMs));
    const longestWaitMs = Math.max(...next.landings.map((l) => l.driveStartMs - l.arrivalMs));
    expect(longestWaitMs).toBeLessThanOrEqual(settings.fillWaitMaxMs + longestSessionMs);
    expect(next.landings).toHaveLength(trace.length);
  });
});

/**
 * Issue 11 section 4 on the mean over seeds 1–10 (the table in
 * BENCHMARKS.md). Not met, and not to be met on these traces: makespan
 * ≤ 0.5× the ENDIT rules (see BENCHMARKS.md: even an offline schedule that
 * knows every arrival needs more at this number of mounts).
 */
describe('issue 11 targets, mean over seeds 1–10', () => {
  const options: CompareOptions = { ...(parseCompareArgs([]) as CompareOptions), seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
  const runs = options.seeds.map((seed) => compareSeed(options, seed));
  const mean = (policy: string): SimResult => meanResult(runs.map((results) => results.find((r) => r.policy === policy) as SimResult));
  const [endit, today, next] = [mean('endit-rules'), mean('today'), mean('new')];

  it('avgtaperemounts ≤ 1.15, and no session fails', () => {
    expect(next.avgTapeRemounts).toBeLessThanOrEqual(1.15);
    expect(next.failedSessions).toBe(0);
  });

  it('mean latency ≤ 0.75× today', () => {
    expect(next.latency.meanSec).toBeLessThanOrEqual(0.75 * today.latency.meanSec);
  });

  it('p95 latency ≤ today and ≤ 0.5× the ENDIT rules; makespan ≤ today', () => {
    expect(next.latency.p95Sec).toBeLessThanOrEqual(Math.min(today.latency.p95Sec, 0.5 * endit.latency.p95Sec));
    expect(next.makespanSec).toBeLessThanOrEqual(today.makespanSec);
  });
});
