import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPool, runFakeDsmc, startCommand } from './harness.js';

const tmpDirs: string[] = [];
afterEach(() => {
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A private $TMPDIR, to see that nothing (such as a sample configuration) is written there. */
function privateTmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-opts-'));
  tmpDirs.push(dir);
  return dir;
}

async function run(program: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startCommand(program, args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

const PROGRAMS = ['endit-archiver', 'endit-retriever', 'endit-deleter', 'endit-tapehints', 'endit'] as const;

describe('program options', () => {
  it.each(PROGRAMS)('fault 7: %s --confg x exits 2 with one line naming the option, and writes no sample config', async (program) => {
    const tmp = privateTmp();
    const args = program === 'endit' ? ['--confg', 'x', 'status'] : ['--confg', 'x'];
    const { code, stdout, stderr } = await run(program, args, { TMPDIR: tmp, ENDIT_CONFIG: path.join(tmp, 'absent.conf') });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${program}: unknown option '--confg'`))]);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it.each(PROGRAMS)('%s --help and --version answer and exit 0', async (program) => {
    const help = await run(program, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    const version = await run(program, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(new RegExp(`^${program} \\d+\\.\\d+\\.\\d+`));
  });

  it('fault 7: fake-dsmc --help prints its usage; an unknown --option exits 2; dsmc syntax still works', async () => {
    const help = await run('fake-dsmc', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fake-dsmc archive -filelist=LIST/);
    expect(help.stdout).toContain('FAKE_DSMC_LIBRARY');
    const unknown = await run('fake-dsmc', ['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^fake-dsmc: unknown option '--bogus'/)]);

    const pool = createTestPool();
    const pattern = path.join(pool.dir, 'out', '*');
    const query = await runFakeDsmc(pool, ['query', 'archive', pattern, '-filesonly', '-detail', '-dateformat=3']);
    expect(query.code).toBe(8);
    expect(query.stdout + query.stderr).toContain('ANS1092W');
    const bad = await runFakeDsmc(pool, ['frobnicate']);
    expect(bad.code).toBe(12);
    expect(bad.stdout + bad.stderr).toContain('ANS1107E');
  });
});
