import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEY_TABLE, sampleConfigText } from '../../src/core/config/index.js';
import { createFixture, endit } from './helpers.js';

/** KEY → [VALUE, SOURCE] from the printed table. */
function effective(out: string): Map<string, [string, string]> {
  const lines = out.split('\n');
  const start = lines.findIndex((line) => line.startsWith('KEY '));
  const rows = new Map<string, [string, string]>();
  for (const line of lines.slice(start + 1)) {
    const match = /^(\S+)\s+(.*\S)\s+(default|file|override)$/.exec(line);
    if (match) rows.set(match[1] as string, [match[2] as string, match[3] as string]);
  }
  return rows;
}

describe('endit check-config', () => {
  it('prints every key with its value and source: default, file, override', async () => {
    const f = createFixture({ retriever_maxworkers: 2, archiver_threshold2_usage: 900 });
    fs.writeFileSync(f.override, JSON.stringify({ retriever_maxworkers: 5, archiver_threshold2_usage: 0 }));
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`Configuration file ${f.config}: valid`);
    expect(out).toContain(`Override file ${f.override}: valid, overrides archiver_threshold2_usage, retriever_maxworkers`);
    const rows = effective(out);
    expect([...rows.keys()]).toEqual(KEY_TABLE.map((spec) => spec.name));
    expect(rows.get('retriever_maxworkers')).toEqual(['5', 'override']);
    expect(rows.get('sleeptime')).toEqual(['10', 'file']);
    expect(rows.get('archiver_timeout')).toEqual(['21600', 'default']);
    // An override of 0 removes threshold 2: unset again.
    expect(rows.get('archiver_threshold2_usage')).toEqual(['(unset)', 'default']);
  });

  it('without an override file shows the main configuration', async () => {
    const f = createFixture({ retriever_maxworkers: 2 });
    const { code, out } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(0);
    expect(out).toContain('absent (main configuration in force)');
    expect(effective(out).get('retriever_maxworkers')).toEqual(['2', 'file']);
  });

  it('uses $ENDIT_CONFIG when --config is not given', async () => {
    const f = createFixture({ sleeptime: 33 });
    const { code, out } = await endit(['check-config'], { env: { ENDIT_CONFIG: f.config } });
    expect(code).toBe(0);
    expect(effective(out).get('sleeptime')).toEqual(['33', 'file']);
  });

  it('exits 1 with one line naming the file and the problem for an invalid main file', async () => {
    const f = createFixture({ retriever_killthreshold: 250 });
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(out).toBe('');
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(f.config);
    expect(lines[0]).toMatch(/retriever_killthreshold.*250/);
  });

  it('exits 1 for a missing file, without writing a sample', async () => {
    const f = createFixture();
    const { code, err } = await endit(['check-config', '--config', `${f.root}/nope.conf`]);
    expect(code).toBe(1);
    expect(err).toMatch(/nope\.conf: cannot read the configuration file/);
    expect(err).not.toMatch(/sample/);
  });

  it('exits 1 when the override file would be rejected by the daemons', async () => {
    const f = createFixture();
    fs.writeFileSync(f.override, JSON.stringify({ dir: '/elsewhere' }));
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(out).toContain('rejected (the daemons keep the main configuration)');
    expect(err.trim()).toBe(`${f.override}: dir: cannot be overridden (only in the main file)`);
    expect(effective(out).get('dir')).toEqual([f.dir, 'file']);
  });

  it('exits 1 when thresholds from the override are not increasing', async () => {
    const f = createFixture({ archiver_threshold1_usage: 100, archiver_threshold2_usage: 200 });
    fs.writeFileSync(f.override, JSON.stringify({ archiver_threshold2_usage: 50 }));
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(err).toContain(f.override);
    expect(err).toMatch(/threshold/);
  });

  it('exits 1 when the pool directory does not exist; warns about unknown keys', async () => {
    const f = createFixture();
    fs.appendFileSync(f.config, 'colour: blue\n');
    fs.rmSync(f.dir, { recursive: true });
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(err).toMatch(/warning: .*unknown key 'colour'/);
    expect(err).toMatch(new RegExp(`${f.config}: dir: '${f.dir}' cannot be used \\(ENOENT\\)`));
  });
});

describe('endit sample-config', () => {
  it('prints the commented sample configuration', async () => {
    const { code, out } = await endit(['sample-config']);
    expect(code).toBe(0);
    expect(out).toBe(sampleConfigText());
    expect(out).toContain('# (default 60)');
  });

  it('takes no options', async () => {
    const { code, err } = await endit(['sample-config', '--json']);
    expect(code).toBe(2);
    expect(err).toMatch(/^endit: unknown option '--json'\n/);
  });
});
