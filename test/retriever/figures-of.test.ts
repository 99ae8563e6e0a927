import { describe, expect, it } from 'vitest';
import { HistogramAccumulator } from '../../src/core/stats/index.js';
import { retrieverFigureValues, type RetrieverFigureInputs } from '../../src/retriever/figures-of.js';

const inputs: RetrieverFigureInputs = {
  pending: { files: 0, bytes: 0, volumes: 0 },
  working: { files: 0, bytes: 0, stillToLandBytes: 0 },
  freeBytes: null,
  spaceState: 'OK',
  spaceHeld: false,
  backoffVolumes: 0,
  tooLargeFiles: 0,
  hintMtimeMs: null,
  hintEntries: 0,
  busyWorkers: 0,
  maxWorkers: 1,
  requestWait: new HistogramAccumulator([60]).snapshot(),
};
const counters = { stagedBytes: 0, stagedFiles: 0, stageRetries: 0, failedFiles: 0, sessions: 0, freshMounts: 0 };

describe('retriever_oldest_request_age_seconds', () => {
  it.each([
    [undefined, 0],
    [null, 0],
    [999, 0],
    [8 * 3600 * 1000 + 1500, 8 * 3600 + 1],
    [-5000, 0], // a request file dated in the future
  ])('%j ms → %d s', (ageMs, seconds) => {
    const s = ageMs === undefined ? inputs : { ...inputs, oldestRequestAgeMs: ageMs };
    expect(retrieverFigureValues(counters, s).retriever_oldest_request_age_seconds).toBe(seconds);
  });
});

describe('session counters', () => {
  it('issue 11: retriever_sessions_total and retriever_fresh_mounts_total are the counters', () => {
    const values = retrieverFigureValues({ ...counters, sessions: 5, freshMounts: 3 }, inputs);
    expect(values).toMatchObject({ retriever_sessions_total: 5, retriever_fresh_mounts_total: 3 });
  });
});
