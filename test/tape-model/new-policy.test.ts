import { describe, expect, it } from 'vitest';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';
import { createNewPolicy, createTodayPolicy, defaultRetrieverSettings } from '../../src/tape-model/policies.js';
import { simulate } from '../../src/tape-model/simulate.js';
import { DEFAULT_TRACE_SPEC, generateTrace } from '../../src/tape-model/trace.js';

const settings = defaultRetrieverSettings(LTO9_LIBRARY.drives);

/**
 * Issue 11's new policy against today's on seeds 1–3 (deterministic: no
 * wall clock). These are the targets it meets; the ones it does not meet
 * yet (avgtaperemounts ≤ 1.15, mean ≤ 0.75× today on every seed, p95 and
 * makespan ≤ 0.5× the ENDIT rules) are in the report of the branch.
 */
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
