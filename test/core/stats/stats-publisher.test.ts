import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { HistogramAccumulator, StatsPublisher } from '../../../src/core/stats/index.js';
import { PROGRAM_LOG_CODES } from '../../../src/core/log/index.js';
import { archiverFigures } from '../../../src/archiver/figures.js';
import { REQUEST_WAIT_BUCKETS_SEC, retrieverFigures } from '../../../src/retriever/figures.js';
import { deleterFigures } from '../../../src/deleter/figures.js';
import { promtoolProblems } from '../../promtool-check.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-stats-'));
  dirs.push(dir);
  return dir;
}

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('StatsPublisher', () => {
  it('writes a flat JSON of numbers and a .prom with hsm labels, mode 0644, no timestamps', async () => {
    const dir = tempDir();
    const publisher = new StatsPublisher({ daemon: 'archiver', hsm: 'pool"1', dir, figures: archiverFigures, version: '1.2.3' });
    await publisher.publish({ values: { archiver_flushed_bytes: 5, archiver_usage_files: 2 }, errorsByCode: new Map([['dsmc_failed', 3]]) });
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'pool"1-archiver-stats.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ archiver_flushed_bytes: 5, archiver_usage_files: 2, archiver_errors: 3, archiver_errors_dsmc_failed: 3, archiver_info: 1 });
    expect(Object.values(json).every((v) => typeof v === 'number')).toBe(true);
    const prom = fs.readFileSync(path.join(dir, 'pool"1-archiver-stats.prom'), 'utf8');
    expect(prom).toContain('endit_archiver_flushed_bytes{hsm="pool\\"1"} 5');
    expect(prom).toContain('endit_archiver_errors{hsm="pool\\"1",code="dsmc_failed"} 3');
    expect(prom).toContain('endit_archiver_info{hsm="pool\\"1",version="1.2.3"} 1');
    // No sample carries a timestamp (a third field).
    for (const line of prom.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line).toMatch(/^[^ ]+ [0-9.e+-]+$/);
    expect(fs.statSync(path.join(dir, 'pool"1-archiver-stats.prom')).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir).filter((n) => n.includes('tmp'))).toEqual([]);
  });

  it('writes HELP as "ENDIT tsm<daemon> <help>." and TYPE as the figure kind', async () => {
    const publisher = new StatsPublisher({ daemon: 'deleter', hsm: 'p', dir: tempDir(), figures: deleterFigures, version: '1' });
    const prom = await publisher.renderProm({ values: { deleter_deleted_files: 4, deleter_waiting_files: 1 }, errorsByCode: new Map() });
    expect(prom).toContain('# HELP endit_deleter_deleted_files ENDIT tsmdeleter Ids deleted from tape (or confirmed already gone).\n# TYPE endit_deleter_deleted_files counter\n');
    expect(prom).toContain('# TYPE endit_deleter_waiting_files gauge\nendit_deleter_waiting_files{hsm="p"} 1\n');
    expect(prom).toContain('endit_deleter_deleted_files{hsm="p"} 4\n');
  });

  it.each([
    ['archiver', archiverFigures],
    ['retriever', retrieverFigures],
    ['deleter', deleterFigures],
  ] as const)('fault 3: the %s error counters exist for every code it can log, 0 before the first error', async (daemon, figures) => {
    const codes = PROGRAM_LOG_CODES[daemon];
    expect(codes.length).toBeGreaterThan(10);
    const publisher = new StatsPublisher({ daemon, hsm: 'p', dir: tempDir(), figures, version: '1' });
    await publisher.publish({ values: {}, errorsByCode: new Map([['cycle_failed', 2]]) });
    const prom = fs.readFileSync(publisher.promPath, 'utf8');
    const json = JSON.parse(fs.readFileSync(publisher.jsonPath, 'utf8')) as Record<string, number>;
    for (const code of codes) {
      const count = code === 'cycle_failed' ? 2 : 0;
      expect(prom).toContain(`endit_${daemon}_errors{hsm="p",code="${code}"} ${count}\n`);
      expect(json[`${daemon}_errors_${code}`], code).toBe(count);
    }
    expect(json[`${daemon}_errors`]).toBe(2);
  });

  it('renders the text format byte for byte as prom-client did (its output captured before it was dropped): escapes, non-finite values, figures without a value', async () => {
    const figures = [
      { name: 'x_info', help: 'Info', type: 'gauge', labels: ['version'] },
      { name: 'x_errors', help: 'Errors', type: 'counter', labels: ['code'] },
      { name: 'x_count', help: 'Back\\slash\nand newline', type: 'counter' },
      { name: 'x_level', help: 'Level', type: 'gauge' },
      { name: 'x_unset', help: 'Unset', type: 'gauge' },
    ] as const;
    const publisher = new StatsPublisher({ daemon: 'x', hsm: 'we"ird\\\n', dir: tempDir(), figures, version: '1\n"2', errorCodes: ['b'] });
    expect(await publisher.renderProm({ values: { x_count: 1e21, x_level: Number.NaN }, errorsByCode: new Map([['a', 1]]) })).toBe(
      [
        '# HELP endit_x_info ENDIT tsmx Info.',
        '# TYPE endit_x_info gauge',
        'endit_x_info{hsm="we\\"ird\\\\\\n",version="1\\n\\"2"} 1',
        '',
        '# HELP endit_x_errors ENDIT tsmx Errors.',
        '# TYPE endit_x_errors counter',
        'endit_x_errors{hsm="we\\"ird\\\\\\n",code="a"} 1',
        'endit_x_errors{hsm="we\\"ird\\\\\\n",code="b"} 0',
        '',
        '# HELP endit_x_count ENDIT tsmx Back\\\\slash\\nand newline.',
        '# TYPE endit_x_count counter',
        'endit_x_count{hsm="we\\"ird\\\\\\n"} 1e+21',
        '',
        '# HELP endit_x_level ENDIT tsmx Level.',
        '# TYPE endit_x_level gauge',
        'endit_x_level{hsm="we\\"ird\\\\\\n"} Nan',
        '',
        '# HELP endit_x_unset ENDIT tsmx Unset.',
        '# TYPE endit_x_unset gauge',
        '',
      ].join('\n'),
    );
  });

  it('counts a code outside the known list too', async () => {
    const publisher = new StatsPublisher({ daemon: 'archiver', hsm: 'p', dir: tempDir(), figures: archiverFigures, version: '1', errorCodes: ['a'] });
    const prom = await publisher.renderProm({ values: {}, errorsByCode: new Map([['b', 1]]) });
    expect(prom).toContain('endit_archiver_errors{hsm="p",code="a"} 0\n');
    expect(prom).toContain('endit_archiver_errors{hsm="p",code="b"} 1\n');
  });

  it.skipIf(!hasPromtool())('passes promtool check metrics but for the _total suffix of the counters', async () => {
    const publisher = new StatsPublisher({ daemon: 'archiver', hsm: 'p', dir: tempDir(), figures: archiverFigures, version: '1' });
    await publisher.publish({ values: Object.fromEntries(archiverFigures.map((f) => [f.name, 1])), errorsByCode: new Map([['x', 1]]) });
    expect(promtoolProblems(fs.readFileSync(publisher.promPath))).toEqual([]);
    expect(promtoolProblems('garbage{\n')).not.toEqual([]);
  });

  it('issue 11: publishes a histogram figure: flat number keys in the JSON, a valid histogram family in the .prom', async () => {
    const publisher = new StatsPublisher({ daemon: 'retriever', hsm: 'p', dir: tempDir(), figures: retrieverFigures, version: '1' });
    const waits = new HistogramAccumulator(REQUEST_WAIT_BUCKETS_SEC);
    for (const seconds of [45, 4000, 300_000]) waits.observe(seconds);
    const values = { ...Object.fromEntries(retrieverFigures.map((f) => [f.name, 1])), retriever_request_wait_seconds: waits.snapshot() };
    await publisher.publish({ values, errorsByCode: new Map() });
    const json = JSON.parse(fs.readFileSync(publisher.jsonPath, 'utf8')) as Record<string, unknown>;
    expect(Object.values(json).every((v) => typeof v === 'number')).toBe(true);
    expect(json).toMatchObject({
      retriever_request_wait_seconds_count: 3,
      retriever_request_wait_seconds_sum: 304_045,
      retriever_request_wait_seconds_bucket_le_60: 1,
      retriever_request_wait_seconds_bucket_le_3600: 1,
      retriever_request_wait_seconds_bucket_le_7200: 2,
      retriever_request_wait_seconds_bucket_le_216000: 2,
      retriever_request_wait_seconds_bucket_le_inf: 3,
    });
    expect(json).not.toHaveProperty('retriever_request_wait_seconds');
    const prom = fs.readFileSync(publisher.promPath, 'utf8');
    expect(prom).toContain('# TYPE endit_retriever_request_wait_seconds histogram\n');
    expect(prom).toContain('endit_retriever_request_wait_seconds_bucket{hsm="p",le="7200"} 2\n');
    expect(prom).toContain('endit_retriever_request_wait_seconds_bucket{hsm="p",le="+Inf"} 3\n');
    expect(prom).toContain('endit_retriever_request_wait_seconds_count{hsm="p"} 3\n');
    if (hasPromtool()) expect(promtoolProblems(prom)).toEqual([]);
  });
});

describe('buildStatsJson error codes', () => {
  it('lists every known code in the order localeCompare gives (sorted by code point, without ICU)', async () => {
    const { buildStatsJson } = await import('../../../src/core/stats/stats-publisher.js');
    const { LOG_CODES } = await import('../../../src/core/log/codes.js');
    const codes = Object.keys(LOG_CODES);
    const json = buildStatsJson('deleter', { values: {}, errorsByCode: new Map([['zz_other', 1]]) }, codes);
    const listed = Object.keys(json).filter((key) => key.startsWith('deleter_errors_')).map((key) => key.slice('deleter_errors_'.length));
    expect(listed).toEqual([...codes, 'zz_other'].sort((a, b) => a.localeCompare(b)));
  });
});
