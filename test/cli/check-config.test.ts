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

  it('retriever_mountcost: a decimal in the file, a JSON number in the override, a bad value named', async () => {
    const f = createFixture({ retriever_mountcost: '0.072' });
    expect(effective((await endit(['check-config', '--config', f.config])).out).get('retriever_mountcost')).toEqual(['0.072', 'file']);
    fs.writeFileSync(f.override, JSON.stringify({ retriever_mountcost: 150.5 }));
    expect(effective((await endit(['check-config', '--config', f.config])).out).get('retriever_mountcost')).toEqual(['150.5', 'override']);
    const bad = createFixture({ retriever_mountcost: '72GiB' });
    const { code, err } = await endit(['check-config', '--config', bad.config]);
    expect(code).toBe(1);
    expect(err.trim()).toBe(`${bad.config}: retriever_mountcost: invalid value '72GiB': expected a non-negative decimal number such as 72 or 0.5`);
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

  it('fault 8: says INVALID on its first line and exits 1 when the pool directory does not exist', async () => {
    const f = createFixture();
    fs.rmSync(f.dir, { recursive: true });
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(out.split('\n')[0]).toBe(`Configuration file ${f.config}: INVALID (1 problem, on standard error)`);
    expect(err.trim()).toBe(`${f.config}: dir: '${f.dir}' does not exist`);
  });

  it('fault 8: exits 1 for a missing logdir', async () => {
    const f = createFixture();
    const logdir = `${f.root}/no-such-log`;
    f.writeConfig({ logdir });
    const { code, out, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(out).toMatch(/^Configuration file .*: INVALID/);
    expect(err.trim()).toBe(`${f.config}: logdir: '${logdir}' does not exist`);
  });

  it('fault 8: exits 1 for a pool whose out is a plain file', async () => {
    const f = createFixture();
    fs.writeFileSync(`${f.dir}/out`, 'not a directory');
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(err.trim()).toBe(`${f.config}: dir: '${f.dir}/out' exists but is not a directory`);
  });

  it('fault 8: exits 1 when dsmc_executable is missing or not executable, and for an unsafe desc-short', async () => {
    const f = createFixture();
    fs.writeFileSync(`${f.root}/dsmc`, '#!/bin/sh\n', { mode: 0o644 });
    f.writeConfig({ dsmc_executable: `${f.root}/dsmc` });
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(1);
    expect(err).toContain(`${f.config}: dsmc_executable: '${f.root}/dsmc' is not executable`);
    // desc-short is refused when the file is loaded (issue 10, fault 5), as the daemons refuse it.
    f.writeConfig({ 'desc-short': '../pool7' });
    const unsafe = await endit(['check-config', '--config', f.config]);
    expect(unsafe.code).toBe(1);
    expect(unsafe.err).toMatch(/desc-short: invalid value '\.\.\/pool7'/);
    f.writeConfig({ dsmc_executable: 'no-such-dsmc' });
    const bare = await endit(['check-config', '--config', f.config], { env: { PATH: `${f.root}:/nonexistent` } });
    expect(bare.err).toContain(`dsmc_executable: 'no-such-dsmc' is not an executable file in PATH (${f.root}:/nonexistent)`);
  });

  it('fault 8: changes nothing: names the subdirectories start-up would create, creates none and writes no sample', async () => {
    const f = createFixture();
    fs.rmSync(`${f.dir}/request`, { recursive: true });
    const before = fs.readdirSync(f.root, { recursive: true }).sort();
    const { code, out } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(0);
    const created = ['in', 'out', 'request', 'requestlists', 'trash', 'trash/queue'].map((sub) => `${f.dir}/${sub}`);
    expect(out.split('\n').slice(0, 3)).toEqual([
      `Configuration file ${f.config}: valid`,
      expect.stringMatching(/^Override file /),
      `Start-up would create: ${created.join(', ')}`,
    ]);
    expect(fs.readdirSync(f.root, { recursive: true }).sort()).toEqual(before);
  });

  it('warns about a missing currstatsdir but accepts it (the daemons run without stats files)', async () => {
    const f = createFixture();
    fs.rmSync(f.statsdir, { recursive: true });
    const { code, err } = await endit(['check-config', '--config', f.config]);
    expect(code).toBe(0);
    expect(err.trim()).toBe(`warning: ${f.config}: currstatsdir: '${f.statsdir}' does not exist: no stats files until it is a writable directory`);
  });

  it('fault 8: warns about a misspelled key, and exits 1 for it with --strict', async () => {
    const f = createFixture();
    fs.appendFileSync(f.config, 'sleeptme: 5\n');
    const lenient = await endit(['check-config', '--config', f.config]);
    expect(lenient.code).toBe(0);
    expect(lenient.err).toMatch(/^warning: .*line \d+: unknown key 'sleeptme', skipped\n$/);
    const strict = await endit(['check-config', '--strict', '--config', f.config]);
    expect(strict.code).toBe(1);
    expect(strict.out.split('\n')[0]).toMatch(/INVALID \(1 problem/);
    expect(strict.err).toMatch(/^\S+endit\.conf: line \d+: unknown key 'sleeptme' \(an error with --strict\)\n$/);
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
