import { describe, expect, it } from 'vitest';
import { BenchArgsError, parseBenchArgs, parseSize } from '../../src/bench/bench-args.js';
import { buildRow, growthRows, signalRows, spreadOf } from '../../src/bench/bench-row.js';
import { exitStatusOf } from '../../src/bench/signal-run.js';
import { formatBenchTable, formatN } from '../../src/bench/format-table.js';

describe('bench arguments', () => {
  it('defaults to 10k, 100k and 1M with three repeats; --quick drops 1M; --tiny is one small pool', () => {
    expect(parseBenchArgs([]).sizes).toEqual([10_000, 100_000, 1_000_000]);
    expect(parseBenchArgs([]).repeats).toBe(3);
    expect(parseBenchArgs(['--quick']).sizes).toEqual([10_000, 100_000]);
    expect(parseBenchArgs(['--quick']).repeats).toBe(2);
    const tiny = parseBenchArgs(['--tiny']);
    expect(tiny.sizes).toEqual([300]);
    expect(tiny.repeats).toBe(1);
    expect(parseBenchArgs(['--n', '1M,5k', '--out', 'x.json']).sizes).toEqual([5000, 1_000_000]);
    expect(parseBenchArgs(['--only', 'archiver,deleter']).daemons).toEqual(['archiver', 'deleter']);
  });

  it.each([
    { argv: ['--repeats', '4'], field: 'repeats', value: 4 },
    { argv: ['--window', '7'], field: 'windowSec', value: 7 },
    { argv: ['--windows', '2'], field: 'windows', value: 2 },
    { argv: ['--sleeptime', '9'], field: 'sleepSec', value: 9 },
    { argv: ['--archive-all-max', '50'], field: 'archiveAllMax', value: 50 },
    { argv: ['--tmpdir', '/scratch'], field: 'tmpdir', value: '/scratch' },
  ] as const)('$argv sets $field', ({ argv, field, value }) => {
    expect(parseBenchArgs(argv)[field]).toBe(value);
  });

  it('a positive-integer option refuses zero, fractions and a missing value, naming the option', () => {
    expect(() => parseBenchArgs(['--repeats', '0'])).toThrow('--repeats: expected a positive integer, got "0"');
    expect(() => parseBenchArgs(['--window', '1.5'])).toThrow('--window: expected a positive integer');
    expect(() => parseBenchArgs(['--sleeptime'])).toThrow('--sleeptime: expected a positive integer, got undefined');
  });

  it('--tiny caps the sleeptime at 2 s and windows default to it', () => {
    expect(parseBenchArgs(['--tiny', '--sleeptime', '9'])).toMatchObject({ sleepSec: 2, windowSec: 2, windows: 1, turnarounds: 2 });
    expect(parseBenchArgs(['--sleeptime', '9'])).toMatchObject({ sleepSec: 9, windowSec: 9, windows: 3, turnarounds: 5 });
  });

  it('refuses what it does not know', () => {
    expect(() => parseBenchArgs(['--nope'])).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(['--only', 'tapehints'])).toThrow(/unknown daemon/);
    expect(() => parseSize('1G')).toThrow(BenchArgsError);
  });
});

describe('rows', () => {
  it('spread: min, median (even count: mean of the middle two), max', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spreadOf([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('ratio is median / floor; targets on ratios are judged at 1M only', () => {
    const small = buildRow({ daemon: 'archiver', n: 10_000, figure: 'first session', unit: 's', samples: [0.3, 0.2, 0.4], floor: 0.01 });
    expect(small.ratio).toBeCloseTo(30);
    expect(small.met).toBeNull();
    const big = buildRow({ daemon: 'archiver', n: 1_000_000, figure: 'first session', unit: 's', samples: [4, 5, 6], floor: 2 });
    expect(big).toMatchObject({ min: 4, median: 5, max: 6, floor: 2, ratio: 2.5, met: true });
    const rss = buildRow({ daemon: 'archiver', n: 10_000, figure: 'peak RSS (sessions hang)', unit: 'MiB', samples: [390, 410] });
    expect(rss).toMatchObject({ floor: null, ratio: null, met: false });
  });

  it('growth: the exponent of N between consecutive sizes (1 linear, 2 quadratic)', () => {
    const rows = [10_000, 100_000, 1_000_000].map((n) => buildRow({ daemon: 'deleter', n, figure: 'all queued', unit: 's', samples: [(n / 10_000) ** 2], floor: 1 }));
    const growth = growthRows(rows);
    expect(growth.map((g) => g.median)).toEqual([2, 2]);
    expect(growth.every((g) => g.met === false)).toBe(true);
  });

  it('prints N as 10k / 1M and every row in the table', () => {
    expect(formatN(1_000_000)).toBe('1M');
    expect(formatN(10_000)).toBe('10k');
    expect(formatN(300)).toBe('300');
    const table = formatBenchTable([buildRow({ daemon: 'deleter', n: 1_000_000, figure: 'all queued', unit: 's', samples: [3], floor: 2 })]);
    expect(table).toMatch(/1M\s+deleter\s+all queued\s+s\s+3\.00\s+3\.00\s+3\.00\s+2\.00\s+1\.50×\s+met/);
  });
});

describe('signal figures (issue 15 item 4)', () => {
  it('one row per figure measured, the pool variant appended; a figure never caught gets no row', () => {
    const rows = signalRows('deleter', 1000, { endit: { termSec: 0.4, exitStatus: 0, usr1Sec: 0.2 }, perl: { termSec: 0.1, exitStatus: 0, usr1Sec: null } }, ' [empty trash files]');
    expect(rows.map((r) => [r.impl, r.daemon, r.n, r.figure, r.unit, r.samples])).toEqual([
      ['endit', 'deleter', 1000, 'SIGTERM while reading → exit [empty trash files]', 's', [0.4]],
      ['endit', 'deleter', 1000, 'SIGTERM while reading: exit status [empty trash files]', 'status', [0]],
      ['endit', 'deleter', 1000, 'SIGUSR1 while reading → acted on [empty trash files]', 's', [0.2]],
      // The Perl daemons: SIGTERM only.
      ['perl', 'deleter', 1000, 'SIGTERM while reading → exit [empty trash files]', 's', [0.1]],
      ['perl', 'deleter', 1000, 'SIGTERM while reading: exit status [empty trash files]', 'status', [0]],
    ]);
    expect(signalRows('archiver', 300, { endit: { termSec: null, exitStatus: null, usr1Sec: null } })).toEqual([]);
  });

  it.each([
    { sample: { termSec: 0.3, exitStatus: 0, usr1Sec: 1.9 }, met: [true, true, true] },
    { sample: { termSec: 2.5, exitStatus: 0, usr1Sec: 2.1 }, met: [false, true, false] },
    { sample: { termSec: 0.3, exitStatus: 137, usr1Sec: 0.2 }, met: [true, false, true] },
  ])('targets at every N: ≤ 2 s to exit and to act, exit status 0 ($sample)', ({ sample, met }) => {
    const rows = signalRows('retriever', 10_000, { endit: sample }).map((m) => buildRow(m));
    expect(rows.map((r) => [r.target, r.met])).toEqual([
      ['≤ 2 s', met[0]],
      ['0 (a clean exit)', met[1]],
      ['≤ 2 s', met[2]],
    ]);
  });

  it('no growth rows for them: a bound, not a cost of N', () => {
    const rows = [10_000, 100_000].flatMap((n) => signalRows('archiver', n, { endit: { termSec: n / 1e5, exitStatus: 0, usr1Sec: n / 1e5 } }).map((m) => buildRow(m)));
    expect(growthRows(rows)).toEqual([]);
  });

  it.each([
    [0, null, 0],
    [1, null, 1],
    [null, 'SIGKILL', 137],
    [null, 'SIGTERM', 143],
  ] as const)('exit status of code %s, signal %s: %s', (code, signal, status) => {
    expect(exitStatusOf(code, signal)).toBe(status);
  });
});
