import { describe, expect, it } from 'vitest';
import { planScaledConfig, planScaledUnits } from '../../../src/bench/tape/tape-config.js';
import { keySpec } from '../../../src/core/config/keys.js';
import { GIB } from '../../../src/core/units.js';
import { defaultRetrieverSettings } from '../../../src/tape-model/policies.js';

describe('planScaledUnits', () => {
  it.each([
    [60, 0.01, 1], // 0.6 s rounds up to the 1 s minimum
    [600, 0.01, 6],
    [7200, 1 / 60, 120],
    [3600, 0.001, 4],
    [0, 0.01, 0], // 0 stays 0 (it switches a key off)
    [10, 0.01, 1], // a positive setting never becomes 0
  ])('%d s at %d → %d s', (simulated, scale, real) => {
    expect(planScaledUnits(simulated, scale)).toBe(real);
  });
});

describe('planScaledConfig', () => {
  const settings = defaultRetrieverSettings(3);

  it('at 1/60 every default time key scales to whole seconds: nothing deviates', () => {
    const scaled = planScaledConfig(settings, 1 / 60, 0.001);
    expect(scaled.values).toMatchObject({
      sleeptime: 1,
      retriever_reqlistfillwait: 10,
      retriever_reqlistfillwaitmax: 120,
      retriever_remountdelay: 120,
      retriever_mountretention: 60,
      retry_backoff_max: 60,
      retriever_maxworkers: 3,
    });
    expect(scaled.deviations).toEqual([]);
    expect(scaled.effective.sleepMs).toBeCloseTo(settings.sleepMs, 6);
    expect(scaled.effective.fillWaitMaxMs).toBeCloseTo(settings.fillWaitMaxMs, 6);
  });

  it('at 0.01 sleeptime rounds to 1 s: the effective sleeptime is 100 s, reported', () => {
    const scaled = planScaledConfig(settings, 0.01, 0.001);
    expect(scaled.values['sleeptime']).toBe(1);
    expect(scaled.effective.sleepMs).toBeCloseTo(100_000, 6);
    expect(scaled.effective.fillWaitMs).toBeCloseTo(settings.fillWaitMs, 6);
    expect(scaled.deviations).toEqual(['sleeptime 60 s → 100 s']);
  });

  it('session byte caps scale with the bytes, in whole GiB; file caps and workers stay', () => {
    const scaled = planScaledConfig({ ...settings, maxSessionBytes: 2000 * GIB, maxSessionFiles: 50 }, 0.01, 0.001);
    expect(scaled.values['retriever_maxsessionbytes']).toBe(2);
    expect(scaled.effective.maxSessionBytes).toBeCloseTo(2000 * GIB, 0);
    expect(scaled.values['retriever_maxsessionfiles']).toBe(50);
    expect(planScaledConfig(settings, 0.01, 0.001).values['retriever_maxsessionbytes']).toBe(0);
  });

  it('a retention of 0 (no follow-on) stays 0', () => {
    expect(planScaledConfig({ ...settings, mountRetentionMs: 0 }, 0.01, 0.001).values['retriever_mountretention']).toBe(0);
  });

  it('every value is a key of the key table', () => {
    for (const key of Object.keys(planScaledConfig(settings, 0.01, 0.001).values)) expect(keySpec(key), key).toBeDefined();
  });
});
