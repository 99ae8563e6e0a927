import { describe, expect, it } from 'vitest';
import { CompareArgsError, parseCompareArgs, runComparison } from '../../src/tape-model/compare-report.js';

describe('parseCompareArgs', () => {
  it.each([
    { argv: [], want: { seeds: [1, 2, 3], drives: 3, recalls: 600, volumes: 30, spanMs: 3_600_000, summaryOnly: false, markdown: false } },
    { argv: ['--span-minutes', '120'], want: { spanMs: 7_200_000 } },
    { argv: ['--seeds', '4,7-9', '--drives', '2'], want: { seeds: [4, 7, 8, 9], drives: 2 } },
    { argv: ['--recalls', '50', '--volumes', '5', '--summary', '--markdown'], want: { recalls: 50, volumes: 5, summaryOnly: true, markdown: true } },
  ])('$argv', ({ argv, want }) => {
    expect(parseCompareArgs(argv)).toMatchObject(want);
  });

  it('help', () => {
    expect(parseCompareArgs(['--help'])).toBe('help');
  });

  it.each([['--seeds', 'a'], ['--seeds', '5-2'], ['--drives', '0'], ['--recalls'], ['--span-minutes', '0'], ['--bogus']])('rejects %j', (...argv) => {
    expect(() => parseCompareArgs(argv)).toThrow(CompareArgsError);
  });
});

describe('runComparison', () => {
  const options = { seeds: [1, 2], drives: 2, recalls: 40, volumes: 4, spanMs: 3_600_000, summaryOnly: false, markdown: false };

  it('prints a table per seed with both policies, then the means', () => {
    const text = runComparison(options);
    expect(text).toContain('seed 1\n');
    expect(text).toContain('seed 2\n');
    expect(text).toContain('mean over 2 seed(s)');
    expect(text.match(/^endit-rules /gm)).toHaveLength(3);
    expect(text.match(/^today /gm)).toHaveLength(3);
    expect(text).toContain('avgtaperemounts');
  });

  it('--summary --markdown: only the means, as Markdown', () => {
    const text = runComparison({ ...options, summaryOnly: true, markdown: true });
    expect(text).not.toContain('seed 1\n');
    expect(text).toContain('| policy | sessions |');
    expect(text).toMatch(/^\| today \| /m);
  });
});
