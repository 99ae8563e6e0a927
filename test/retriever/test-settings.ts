import { GIB } from '../../src/core/units.js';
import type { RetrieverSettings } from '../../src/retriever/settings.js';

const MIN = 60_000;

/** The retriever's settings in the policy tests: the defaults, with short fill waits and 2 workers unless a test says otherwise. */
export function retrieverTestSettings(overrides: Partial<RetrieverSettings> = {}): RetrieverSettings {
  return {
    maxWorkers: 2,
    remountDelayMs: 120 * MIN,
    fillWaitMs: 10 * MIN,
    fillWaitMaxMs: 120 * MIN,
    bufferBytes: 100 * GIB,
    backlogPercent: 10,
    killPercent: 95,
    sleepMs: MIN,
    backoffMaxMs: 60 * MIN,
    mountCostBytes: 72 * GIB,
    mountRetentionMs: 60 * MIN,
    maxSessionBytes: 0,
    maxSessionFiles: 0,
    volumeOrder: 'work-per-mount',
    ...overrides,
  };
}
