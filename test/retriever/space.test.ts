import { describe, expect, it } from 'vitest';
import { GIB } from '../../src/core/units.js';
import { classifySpace, planSpaceLines } from '../../src/retriever/space.js';

const MIB = 1024 ** 2;
const defaults = { bufferBytes: 100 * GIB, backlogPercent: 10, killPercent: 95 };

describe('planSpaceLines (SPEC 6.5)', () => {
  it.each([
    // filesystem, buffer → kill line, backlog line
    { fs: 10_000 * GIB, settings: defaults, kill: 5 * GIB, backlog: 90 * GIB, shrunk: false },
    { fs: 10_000 * GIB, settings: { ...defaults, bufferBytes: GIB }, kill: GIB, backlog: 2 * GIB, shrunk: false },
    { fs: 10_000 * GIB, settings: { ...defaults, killPercent: 50, backlogPercent: 40 }, kill: 50 * GIB, backlog: 60 * GIB, shrunk: false },
    // Smaller than the buffer: half of it is the buffer.
    { fs: 60 * GIB, settings: defaults, kill: 1.5 * GIB, backlog: 27 * GIB, shrunk: true },
    // Tiny: the absolute floors shrink to 1/16 and 1/8 of the filesystem.
    { fs: 64 * MIB, settings: { ...defaults, bufferBytes: GIB }, kill: 4 * MIB, backlog: 28.8 * MIB, shrunk: true },
  ])('$fs bytes → kill $kill, backlog $backlog', ({ fs, settings, kill, backlog, shrunk }) => {
    const lines = planSpaceLines(settings, fs);
    expect(lines.killLineBytes).toBe(Math.ceil(kill));
    expect(lines.backlogLineBytes).toBe(Math.ceil(backlog));
    expect(lines.bufferShrunk).toBe(shrunk);
    expect(lines.killLineBytes).toBeLessThan(lines.backlogLineBytes);
  });

  it('classifies the three states at the lines', () => {
    const lines = planSpaceLines(defaults, 10_000 * GIB);
    expect(classifySpace(90 * GIB, lines)).toBe('OK');
    expect(classifySpace(90 * GIB - 1, lines)).toBe('BACKLOG');
    expect(classifySpace(5 * GIB, lines)).toBe('BACKLOG');
    expect(classifySpace(5 * GIB - 1, lines)).toBe('FULL');
  });
});
