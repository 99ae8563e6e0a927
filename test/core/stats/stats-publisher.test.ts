import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { StatsPublisher } from '../../../src/core/stats/index.js';
import { archiverFigures } from '../../../src/archiver/figures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-stats-'));
    dirs.push(dir);
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

  it.skipIf(!hasPromtool())('passes promtool check metrics', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-stats-'));
    dirs.push(dir);
    const publisher = new StatsPublisher({ daemon: 'archiver', hsm: 'p', dir, figures: archiverFigures, version: '1' });
    await publisher.publish({ values: Object.fromEntries(archiverFigures.map((f) => [f.name, 1])), errorsByCode: new Map([['x', 1]]) });
    execFileSync('promtool', ['check', 'metrics'], { input: fs.readFileSync(publisher.promPath) });
  });
});
