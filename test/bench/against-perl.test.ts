/**
 * The bench beside the Perl original (issue 15): its command line, CPU
 * accounting, run order, trash files and the side-by-side table. None of
 * this needs the Perl checkout; the accounting test at the end runs the
 * compiled preload (dist/, built by `npm test`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchArgsError, parseBenchArgs } from '../../src/bench/bench-args.js';
import { buildRow, figureWithoutVariant, type Measured } from '../../src/bench/bench-row.js';
import { comparisonOutPath, comparisonRows, formatComparisonTable, formatRatio, formatSpread } from '../../src/bench/compare-table.js';
import { accountCpuInAll, descendantsOf, parseDsmcCpuRecords, parseProcStat, type ProcStat } from '../../src/bench/cpu-in-all.js';
import { dsmcWrapperScript, readCpuInAll, shellQuote, writeDsmcWrapper } from '../../src/bench/dsmc-accounting.js';
import { deleterFigure, deleterVariant } from '../../src/bench/deleter-bench.js';
import { trashFileContent } from '../../src/bench/generate.js';
import { alternation, implementationsOf, programLabel, scaledTimeoutMs } from '../../src/bench/implementation.js';
import { configText } from '../../src/bench/workspace.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

describe('--against-perl, --trash, --delete-objects, --markdown', () => {
  it('defaults: endit alone, both kinds of trash file, plain tables', () => {
    expect(parseBenchArgs([])).toMatchObject({ againstPerl: undefined, trashKinds: ['empty', 'uri'], deleteObjects: 'gone', markdown: false });
  });

  it.each([
    { argv: ['--against-perl', '/tmp/perl-endit'], want: { againstPerl: '/tmp/perl-endit' } },
    { argv: ['--trash', 'uri'], want: { trashKinds: ['uri'] } },
    { argv: ['--trash', 'uri,empty,uri'], want: { trashKinds: ['uri', 'empty'] } },
    { argv: ['--markdown'], want: { markdown: true } },
    { argv: ['--delete-objects', 'present'], want: { deleteObjects: 'present' } },
    { argv: ['--n', '100k', '--against-perl', 'p', '--markdown'], want: { sizes: [100_000], againstPerl: 'p', markdown: true } },
  ])('$argv', ({ argv, want }) => {
    expect(parseBenchArgs(argv)).toMatchObject(want);
  });

  it.each([
    { argv: ['--against-perl'], error: '--against-perl: expected the directory of a neicnordic/endit checkout' },
    { argv: ['--against-perl', ''], error: '--against-perl: expected the directory' },
    { argv: ['--trash'], error: '--trash: expected a list' },
    { argv: ['--trash', 'full'], error: '--trash: unknown kind "full" (one of empty, uri)' },
    { argv: ['--delete-objects', 'some'], error: '--delete-objects: expected gone or present, got "some"' },
    { argv: ['--delete-objects'], error: '--delete-objects: expected gone or present, got undefined' },
  ])('refuses $argv', ({ argv, error }) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(argv)).toThrow(error);
  });
});

describe('/proc/<pid>/stat', () => {
  const line = (pid: number, comm: string, rest: Partial<Record<'ppid' | 'utime' | 'stime' | 'cutime' | 'cstime' | 'start', number>> = {}): string => {
    const r = { ppid: 1, utime: 0, stime: 0, cutime: 0, cstime: 0, start: 100, ...rest };
    // Fields 3..22: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
    return `${pid} (${comm}) S ${r.ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 ${r.utime} ${r.stime} ${r.cutime} ${r.cstime} 20 0 1 0 ${r.start} 8192 100 18446744073709551615\n`;
  };

  it('reads ppid, the four CPU times and the start time, counting fields from the last ")"', () => {
    expect(parseProcStat(line(42, 'node', { ppid: 7, utime: 150, stime: 30, cutime: 12, cstime: 3, start: 9876 }))).toEqual({
      pid: 42,
      ppid: 7,
      state: 'S',
      utimeTicks: 150,
      stimeTicks: 30,
      cutimeTicks: 12,
      cstimeTicks: 3,
      startTicks: 9876,
    });
    // A command may hold spaces and parentheses.
    expect(parseProcStat(line(43, 'a) (b c', { utime: 5 }))).toMatchObject({ pid: 43, utimeTicks: 5, startTicks: 100 });
  });

  it.each(['', 'garbage', '12 (x) S', '(x) S 1 2 3'])('%j is not a stat line', (text) => {
    expect(parseProcStat(text)).toBeUndefined();
  });

  it('descendants: children, their children, nothing else', () => {
    const procs = [10, 11, 12, 13, 14].map((pid) => parseProcStat(line(pid, 'p', { ppid: { 10: 1, 11: 10, 12: 11, 13: 1, 14: 12 }[pid] as number })) as ProcStat);
    expect(descendantsOf(10, procs).map((p) => p.pid)).toEqual([11, 12, 14]);
    expect(descendantsOf(13, procs)).toEqual([]);
  });
});

describe('CPU in all: the daemon and its children, not dsmc', () => {
  const stat = (pid: number, ppid: number, t: Partial<Pick<ProcStat, 'utimeTicks' | 'stimeTicks' | 'cutimeTicks' | 'cstimeTicks' | 'startTicks'>> = {}): ProcStat => ({
    pid,
    ppid,
    state: 'S',
    utimeTicks: 0,
    stimeTicks: 0,
    cutimeTicks: 0,
    cstimeTicks: 0,
    startTicks: 500 + pid,
    ...t,
  });
  const daemon = stat(100, 1, { utimeTicks: 300, stimeTicks: 100, cutimeTicks: 90, cstimeTicks: 30 });

  it.each([
    {
      name: 'endit: a reaped delete session (1.1 s of its own) is all of cutime',
      descendants: [],
      dsmcPids: [],
      records: [{ pid: 200, startTicks: 700, cpuSec: 1.1 }],
      want: { ownSec: 4, childrenSec: 0.1, dsmcSec: 1.1, inAllSec: 4.1 },
    },
    {
      name: 'a live dsmc is not counted, a live forked worker is (with what it reaped)',
      descendants: [stat(101, 100, { utimeTicks: 20, cutimeTicks: 5 }), stat(102, 101, { utimeTicks: 999 })],
      dsmcPids: [102],
      records: [],
      want: { ownSec: 4, childrenSec: 1.45, dsmcSec: 0, inAllSec: 5.45 },
    },
    {
      name: 'a dsmc that wrote its record but is a zombie still: in no cutime yet, so neither counted nor taken out',
      descendants: [stat(103, 100, { utimeTicks: 50, startTicks: 603 })],
      dsmcPids: [],
      records: [{ pid: 103, startTicks: 603, cpuSec: 0.5 }],
      want: { ownSec: 4, childrenSec: 1.2, dsmcSec: 0, inAllSec: 5.2 },
    },
    {
      name: 'clock ticks truncate: children never below nothing',
      descendants: [],
      dsmcPids: [],
      records: [{ pid: 200, startTicks: 700, cpuSec: 1.25 }],
      want: { ownSec: 4, childrenSec: 0, dsmcSec: 1.25, inAllSec: 4 },
    },
  ])('$name', ({ descendants, dsmcPids, records, want }) => {
    const got = accountCpuInAll({ daemon, descendants, dsmcPids: new Set(dsmcPids), records, ticksPerSec: 100 });
    expect(got.ownSec).toBeCloseTo(want.ownSec, 9);
    expect(got.childrenSec).toBeCloseTo(want.childrenSec, 9);
    expect(got.dsmcSec).toBeCloseTo(want.dsmcSec, 9);
    expect(got.inAllSec).toBeCloseTo(want.inAllSec, 9);
  });

  it('accounting records: one JSON object a line; torn or foreign lines skipped', () => {
    const text = '{"pid":5,"startTicks":9,"cpuSec":0.25}\n\n{"pid":"x"}\n{"pid":6,"startTi';
    expect(parseDsmcCpuRecords(text)).toEqual([{ pid: 5, startTicks: 9, cpuSec: 0.25 }]);
  });
});

describe('the fake dsmc wrapper', () => {
  it('quotes every path as one shell word', () => {
    expect(shellQuote("/tmp/a b/it's")).toBe(`'/tmp/a b/it'\\''s'`);
  });

  it('execs node with the preload and the fake, passing the arguments on', () => {
    const script = dsmcWrapperScript({ nodePath: '/usr/bin/node', preloadUrl: 'file:///r/dist/bench/dsmc-cpu-preload.js', fakeDsmc: '/r/bin/fake-dsmc', recordsPath: '/p/dsmc-cpu.jsonl' });
    expect(script.split('\n')).toEqual([
      '#!/bin/sh',
      expect.stringMatching(/^# /) as unknown as string,
      "ENDIT_BENCH_DSMC_CPU='/p/dsmc-cpu.jsonl'",
      'export ENDIT_BENCH_DSMC_CPU',
      `exec '/usr/bin/node' --import 'file:///r/dist/bench/dsmc-cpu-preload.js' '/r/bin/fake-dsmc' "$@"`,
      '',
    ]);
  });
});

describe('runs, pools and figures', () => {
  it('alternates endit and Perl within each repeat', () => {
    expect(alternation(['endit', 'perl'], 3)).toEqual([
      { impl: 'endit', repeat: 0 },
      { impl: 'perl', repeat: 0 },
      { impl: 'endit', repeat: 1 },
      { impl: 'perl', repeat: 1 },
      { impl: 'endit', repeat: 2 },
      { impl: 'perl', repeat: 2 },
    ]);
    expect(alternation(['endit'], 2).map((r) => r.impl)).toEqual(['endit', 'endit']);
  });

  it('endit alone without --against-perl; the Perl scripts and a longer wait with it', () => {
    expect(implementationsOf(undefined)).toEqual([{ name: 'endit' }]);
    const [endit, perl] = implementationsOf('/src/endit');
    expect(perl).toEqual({ name: 'perl', dir: '/src/endit' });
    expect(programLabel(endit!, 'deleter')).toBe('endit-deleter');
    expect(programLabel(perl!, 'deleter')).toBe('tsmdeleter.pl');
    expect(scaledTimeoutMs(endit!, 1000)).toBe(1000);
    expect(scaledTimeoutMs(perl!, 1000)).toBe(4000);
  });

  it('trash files: empty, or the tape URI as the dCache ENDIT provider writes it (no newline)', () => {
    const id = '0000A1B2C3D4E5F60718293A4B5C6D7E8F90';
    expect(trashFileContent(id, 'empty', 'pool1')).toBe('');
    expect(trashFileContent(id, 'uri', 'pool1')).toBe('osm://pool1?bfid=0000A1B2C3D4E5F60718293A4B5C6D7E8F90');
  });

  it('one configuration text for both programs: key: value lines after a comment', () => {
    expect(configText({ dir: '/p', sleeptime: 5 })).toBe('# written by npm run bench\ndir: /p\nsleeptime: 5\n');
  });

  it('a deleter figure names its kind of trash file (and objects on tape); the targets of the figure hold for each', () => {
    expect(deleterFigure('all queued', deleterVariant('uri', 'gone'))).toBe('all queued [tape-URI trash files]');
    expect(deleterFigure('all queued', deleterVariant('empty', 'present'))).toBe('all queued [empty trash files, objects on tape]');
    expect(figureWithoutVariant(deleterFigure('peak RSS', deleterVariant('empty', 'present')))).toBe('peak RSS');
    const row = buildRow({ daemon: 'deleter', n: 1_000_000, figure: deleterFigure('all queued', deleterVariant('empty', 'gone')), unit: 's', samples: [2], floor: 1 });
    expect(row).toMatchObject({ target: '≤ 3× floor', met: true });
  });
});

describe('endit beside Perl', () => {
  const measured: Measured[] = [
    { impl: 'endit', daemon: 'deleter', n: 100_000, figure: 'all queued [empty trash files]', unit: 's', samples: [1.2, 1.1], floor: 0.2 },
    { impl: 'perl', daemon: 'deleter', n: 100_000, figure: 'all queued [empty trash files]', unit: 's', samples: [2.6, 1.7], floor: 0.2 },
    { impl: 'endit', daemon: 'deleter', n: 100_000, figure: 'peak RSS [empty trash files]', unit: 'MiB', samples: [134] },
    { impl: 'perl', daemon: 'deleter', n: 100_000, figure: 'peak RSS [empty trash files]', unit: 'MiB', samples: [43] },
    { impl: 'endit', daemon: 'retriever', n: 100_000, figure: 'steady CPU', unit: '%', samples: [0.2] },
    { impl: 'perl', daemon: 'retriever', n: 100_000, figure: 'steady CPU', unit: '%', samples: [0] },
    // Only one side: left out.
    { daemon: 'fake-dsmc', n: 100_000, figure: 'delete session (fake, objects already gone)', unit: 's', samples: [0.3] },
    { impl: 'perl', daemon: 'deleter', n: 1_000_000, figure: 'all queued [empty trash files]', unit: 's', samples: [18.8] },
  ];

  it('pairs the figures both measured, ratio = endit median / Perl median', () => {
    const rows = comparisonRows(measured);
    expect(rows.map((r) => [r.daemon, r.figure, r.ratio])).toEqual([
      ['deleter', 'all queued [empty trash files]', 1.15 / 2.15],
      ['deleter', 'peak RSS [empty trash files]', 134 / 43],
      ['retriever', 'steady CPU', null],
    ]);
    expect(rows[0]).toMatchObject({ perl: { min: 1.7, median: 2.15, max: 2.6, samples: 2 }, endit: { min: 1.1, median: 1.15, max: 1.2, samples: 2 } });
  });

  it('a spread: the median, and the range when runs differ', () => {
    expect(formatSpread({ min: 1.7, median: 2.15, max: 2.6, samples: 2 }, 's')).toBe('2.15 s (1.70–2.60)');
    expect(formatSpread({ min: 134, median: 134, max: 134, samples: 1 }, 'MiB')).toBe('134 MiB');
    expect(formatSpread({ min: 0.491, median: 0.492, max: 0.493, samples: 3 }, 's')).toBe('0.49 s');
    expect(formatRatio(0.3125)).toBe('0.31×');
    expect(formatRatio(null)).toBe('—');
  });

  it('prints a Markdown table to paste into BENCHMARKS.md, and a padded one', () => {
    const rows = comparisonRows(measured);
    expect(formatComparisonTable(rows, true).split('\n')).toEqual([
      '| N | daemon | figure | Perl | endit | endit/Perl |',
      '| --- | --- | --- | --- | --- | --- |',
      '| 100k | deleter | all queued [empty trash files] | 2.15 s (1.70–2.60) | 1.15 s (1.10–1.20) | 0.53× |',
      '| 100k | deleter | peak RSS [empty trash files] | 43.0 MiB | 134 MiB | 3.12× |',
      '| 100k | retriever | steady CPU | 0 % | 0.20 % | — |',
    ]);
    const text = formatComparisonTable(rows).split('\n');
    expect(text[0]).toMatch(/^N\s+daemon\s+figure\s+Perl\s+endit\s+endit\/Perl$/);
    expect(text[2]).toMatch(/^100k\s+deleter\s+all queued \[empty trash files\]\s+2\.15 s \(1\.70–2\.60\)\s+1\.15 s \(1\.10–1\.20\)\s+0\.53×$/);
  });

  it('the side-by-side rows go to a JSON file of their own', () => {
    expect(comparisonOutPath('bench-results.json')).toBe('bench-results-vs-perl.json');
    expect(comparisonOutPath('/tmp/rows')).toBe('/tmp/rows-vs-perl.json');
  });
});

describe('the fake dsmc accounts for its own CPU (dist/bench/dsmc-cpu-preload.js)', () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a parent that reaped a fake dsmc: the fake's CPU is taken out of the parent's children", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-bench-accounting-'));
    temps.push(work);
    // A "dsmc" that burns 300 ms of CPU, then exits.
    const fake = path.join(work, 'burner.mjs');
    fs.writeFileSync(fake, 'while (process.cpuUsage().user < 300_000);\n');
    const accounting = writeDsmcWrapper(work, fake, path.join(REPO_ROOT, 'dist', 'bench', 'dsmc-cpu-preload.js'));
    // The "daemon": a shell that runs dsmc, reaps it, and waits to be read.
    const parent = spawn('/bin/sh', ['-c', `${shellQuote(accounting.wrapperPath)} archive; echo reaped; read line`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => parent.stdout.on('data', () => resolve()));
      const cpu = readCpuInAll(parent.pid as number, accounting);
      expect(cpu?.dsmcSec).toBeGreaterThanOrEqual(0.3);
      // Without taking dsmc out, the children would hold its 0.3 s; what is left is the kernel's tick rounding and node's exit.
      expect(cpu?.childrenSec).toBeLessThan(0.1);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
