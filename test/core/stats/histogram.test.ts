import { describe, expect, it } from 'vitest';
import { flattenHistogram, HistogramAccumulator, renderHistogramText } from '../../../src/core/stats/histogram.js';
import { promtoolProblems } from '../../promtool-check.js';

describe('HistogramAccumulator', () => {
  it.each([
    { observed: [], cumulative: [0, 0, 0], sum: 0, count: 0 },
    { observed: [60], cumulative: [1, 1, 1], sum: 60, count: 1 },
    { observed: [0, 61, 300, 301, 1e9], cumulative: [1, 3, 4], sum: 0 + 61 + 300 + 301 + 1e9, count: 5 },
    // Not a number: not counted at all.
    { observed: [Number.NaN, Number.POSITIVE_INFINITY, 10], cumulative: [1, 1, 1], sum: 10, count: 1 },
  ])('$observed → le counts $cumulative, sum $sum, count $count', ({ observed, cumulative, sum, count }) => {
    const h = new HistogramAccumulator([60, 300, 900]);
    for (const value of observed) h.observe(value);
    expect(h.snapshot()).toEqual({ kind: 'histogram', upperBounds: [60, 300, 900], cumulativeCounts: cumulative, sum, count });
  });

  it.each([[[60, 60]], [[300, 60]], [[60, Number.POSITIVE_INFINITY]]])('rejects bounds %j', (bounds) => {
    expect(() => new HistogramAccumulator(bounds)).toThrow(/ascending/);
  });
});

describe('the histogram in the stats files', () => {
  const h = new HistogramAccumulator([60, 3600]);
  for (const value of [30, 90, 7200]) h.observe(value);

  it('flattens into number keys for the JSON: count, sum, cumulative le buckets, le_inf', () => {
    expect(flattenHistogram('retriever_request_wait_seconds', h.snapshot())).toEqual({
      retriever_request_wait_seconds_count: 3,
      retriever_request_wait_seconds_sum: 7320,
      retriever_request_wait_seconds_bucket_le_60: 1,
      retriever_request_wait_seconds_bucket_le_3600: 2,
      retriever_request_wait_seconds_bucket_le_inf: 3,
    });
  });

  it('renders the Prometheus text format that promtool accepts, label values escaped', () => {
    const text = renderHistogramText('endit_x_seconds', 'ENDIT tsmx Waits.', { hsm: 'a"b\\c' }, h.snapshot());
    expect(text).toBe(
      [
        '# HELP endit_x_seconds ENDIT tsmx Waits.',
        '# TYPE endit_x_seconds histogram',
        'endit_x_seconds_bucket{hsm="a\\"b\\\\c",le="60"} 1',
        'endit_x_seconds_bucket{hsm="a\\"b\\\\c",le="3600"} 2',
        'endit_x_seconds_bucket{hsm="a\\"b\\\\c",le="+Inf"} 3',
        'endit_x_seconds_sum{hsm="a\\"b\\\\c"} 7320',
        'endit_x_seconds_count{hsm="a\\"b\\\\c"} 3',
        '',
      ].join('\n'),
    );
    expect(promtoolProblems(text)).toEqual([]);
  });
});
