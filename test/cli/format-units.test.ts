import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/format-table.js';
import { formatBytes, formatDuration, formatFiles } from '../../src/cli/format-units.js';

describe('units', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 ** 2, '10.0 MiB'],
    [1024 ** 3 * 2.25, '2.3 GiB'],
    [1024 ** 4 * 3, '3.0 TiB'],
    [1024 ** 5 * 2048, '2048.0 PiB'],
    [Number.NaN, '?'],
  ])('formatBytes(%d) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [60, '1m00s'],
    [3599, '59m59s'],
    [3600 * 3 + 65, '3h01m'],
    [86_400 * 2 + 3600 * 5, '2d05h'],
    [-90, '-1m30s'],
  ])('formatDuration(%d) = %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('counts nouns', () => {
    expect(formatFiles(1)).toBe('1 file');
    expect(formatFiles(0)).toBe('0 files');
    expect(formatFiles(2, 'flush', 'flushes')).toBe('2 flushes');
  });

  it('renders aligned columns without trailing spaces', () => {
    expect(renderTable([{ header: 'A' }, { header: 'NUM', align: 'right' }, { header: 'C' }], [['long', '5', ''], ['x', '1234', 'z']])).toEqual([
      'A      NUM  C',
      'long     5',
      'x     1234  z',
    ]);
  });
});
