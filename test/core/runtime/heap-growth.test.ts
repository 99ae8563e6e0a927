import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, keepYoungGenerationSmall, limitHeapGrowth } from '../../../src/core/runtime/heap-growth.js';

describe('limitHeapGrowth', () => {
  it('leaves the factor alone when node was started with its own --heap-growing-percent', () => {
    expect(limitHeapGrowth(['--heap-growing-percent=30'])).toBe(false);
    expect(limitHeapGrowth(['--stack-size=2000', '--heap_growing_percent', '30'])).toBe(false);
  });

  it('sets it otherwise, to a factor well below the up to 4x V8 picks by itself', () => {
    expect(limitHeapGrowth(['--enable-source-maps'])).toBe(true);
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    expect(HEAP_GROWING_PERCENT).toBeLessThanOrEqual(100);
  });
});

describe('keepYoungGenerationSmall', () => {
  it('leaves the young generation alone when node was started with a semi-space flag of its own', () => {
    expect(keepYoungGenerationSmall(['--max-semi-space-size=8'])).toBe(false);
    expect(keepYoungGenerationSmall(['--semi_space_growth_factor', '2'])).toBe(false);
    expect(keepYoungGenerationSmall(['--enable-source-maps'])).toBe(true);
  });
});
