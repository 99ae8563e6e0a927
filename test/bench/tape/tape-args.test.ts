import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_SCALE, parseTapeBenchArgs, parseTimeScale, TapeArgsError } from '../../../src/bench/tape/tape-args.js';

describe('bench:tape options', () => {
  it('defaults: seeds 1,2,3 at the default time scale, the comparison defaults', () => {
    expect(parseTapeBenchArgs([])).toMatchObject({ seeds: [1, 2, 3], timeScale: DEFAULT_TIME_SCALE, drives: 3, recalls: 600, volumes: 30, markdown: false, summaryOnly: false, tmpdir: undefined });
  });

  it('its own options and those of the comparison together', () => {
    expect(parseTapeBenchArgs(['--seeds', '4-5', '--time-scale', '1/60', '--markdown', '--drives', '2', '--tmpdir', '/var/tmp'])).toMatchObject({
      seeds: [4, 5],
      timeScale: 1 / 60,
      markdown: true,
      drives: 2,
      tmpdir: '/var/tmp',
    });
    expect(parseTapeBenchArgs(['--help'])).toBe('help');
  });

  it.each(['0', '2', 'fast', '1/0', ''])('refuses the time scale %j', (text) => {
    expect(() => parseTimeScale(text)).toThrow(TapeArgsError);
  });

  it('reports bad comparison options as its own errors', () => {
    expect(() => parseTapeBenchArgs(['--seeds', 'x'])).toThrow(TapeArgsError);
    expect(() => parseTapeBenchArgs(['--nope'])).toThrow(/unknown option --nope/);
    expect(() => parseTapeBenchArgs(['--tmpdir'])).toThrow(TapeArgsError);
  });

  it.each([['0.02', 0.02], ['1/60', 1 / 60], ['1e-3', 0.001], ['1', 1]])('reads the time scale %s', (text, value) => {
    expect(parseTimeScale(text)).toBeCloseTo(value, 12);
  });
});
