import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/core/runtime/index.js';
import { planCommandLine } from '../../src/cli/run-cli.js';
import { endit } from './helpers.js';

describe('endit', () => {
  it('lists the subcommands with --help', async () => {
    const { code, out } = await endit(['--help']);
    expect(code).toBe(0);
    for (const command of ['status', 'check-config', 'sample-config', 'pertape', 'tapemetrics', 'plan', 'drain', 'demo']) expect(out).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
  });

  it('prints its version', async () => {
    const { code, out } = await endit(['--version']);
    expect(code).toBe(0);
    expect(out).toBe(`endit ${packageVersion()}\n`);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints a command help without running it', async () => {
    const { code, out } = await endit(['status', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: endit status \[--config PATH\] \[--json\]/);
    expect(out).toMatch(/Exit codes: 0 /);
  });

  it('accepts --config before the command', () => {
    expect(planCommandLine(['--config', '/x.conf', 'status', '--json'])).toEqual({ name: 'status', rest: ['--json', '--config', '/x.conf'] });
    expect(planCommandLine(['--config=/x.conf', 'pertape'])).toEqual({ name: 'pertape', rest: ['--config=/x.conf'] });
    expect(planCommandLine(['status', '--config', '/x.conf'])).toEqual({ name: 'status', rest: ['--config', '/x.conf'] });
    expect(planCommandLine(['--config'])).toEqual({ name: '--config', rest: [] });
  });

  it('exits 2 on an unknown command, no command, or a bad option', async () => {
    const unknown = await endit(['stauts']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'stauts'/);
    const inherited = await endit(['toString']);
    expect(inherited.code).toBe(2);
    expect((await endit([])).code).toBe(2);
    const bad = await endit(['pertape', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format: expected one of table, json, ids, got 'xml'/);
    const seconds = await endit(['demo', '--seconds', 'soon']);
    expect(seconds.code).toBe(2);
    expect(seconds.err).toMatch(/--seconds: expected a positive integer/);
  });
});
