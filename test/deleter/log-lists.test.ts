import { describe, expect, it } from 'vitest';
import { formatIdListLines } from '../../src/deleter/log-lists.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

describe('formatIdListLines', () => {
  it('a short list is one line', () => {
    expect(formatIdListLines('Queued', ['A', 'B'])).toEqual(['Queued: A B']);
  });

  it('a long list is split into lines under 4 KiB that together hold every id once', () => {
    const ids = Array.from({ length: 25_000 }, (_, n) => id(n));
    const lines = formatIdListLines('Deleting', ids);
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) expect(Buffer.byteLength(line) + 60).toBeLessThan(4096); // plus the log line prefix
    for (const line of lines) expect(line).toMatch(/^Deleting: [0-9A-F]/);
    const back = lines.flatMap((line) => line.slice(line.indexOf(': ') + 2).split(' '));
    expect(back).toEqual(ids);
  });

  it('nothing to list: no line', () => {
    expect(formatIdListLines('Queued', [])).toEqual([]);
  });
});
