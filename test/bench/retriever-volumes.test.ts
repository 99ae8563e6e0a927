import { describe, expect, it } from 'vitest';
import { retrieverVolumes } from '../../src/bench/retriever-bench.js';

describe('retrieverVolumes: how many tapes the bench spreads N recalls over', () => {
  it.each([
    [1, 1],
    [300, 30],
    [10_000, 1000],
    [100_000, 1000],
    [1_000_000, 1000],
    // Issue 15: ten million requests over 10,000 volumes.
    [10_000_000, 10_000],
  ])('N=%i gives %i volumes', (n, volumes) => {
    expect(retrieverVolumes(n)).toBe(volumes);
  });
});
