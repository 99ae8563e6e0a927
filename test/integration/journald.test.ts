import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPool, readStats, REPO_ROOT, waitFor, type TestPool } from './harness.js';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/**
 * Runs endit-deleter with `logdir: -` and its standard output on a file, as
 * systemd would connect it to journald: JOURNAL_STREAM names that stream's
 * device and inode (or, `journalStream: false`, is unset as in a terminal).
 */
async function runWithStdout(pool: TestPool, journalStream: boolean): Promise<string[]> {
  pool.writeConfig({ logdir: '-' });
  // An override the deleter rejects: one warning.
  fs.writeFileSync(pool.overridePath, JSON.stringify({ dir: '/elsewhere' }));
  const outFile = path.join(pool.root, 'stdout');
  const fd = fs.openSync(outFile, 'w');
  const st = fs.fstatSync(fd, { bigint: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...pool.env };
  delete env['JOURNAL_STREAM'];
  if (journalStream) env['JOURNAL_STREAM'] = `${st.dev}:${st.ino}`;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'endit-deleter'), '--config', pool.configPath], { env, stdio: ['ignore', fd, 'ignore'] });
  children.push(child);
  fs.closeSync(fd);
  await waitFor(() => readStats(pool, 'deleter') !== null && /override_rejected/.test(fs.readFileSync(outFile, 'utf8')), 'stats and the warning');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return fs.readFileSync(outFile, 'utf8').split('\n').filter((line) => line !== '');
}

describe('logging to standard output (logdir: -)', () => {
  it('under systemd (JOURNAL_STREAM is stdout) every line carries its syslog priority, so journalctl -p warning works', async () => {
    const lines = await runWithStdout(createTestPool(), true);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^<[3467]>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d testpool \[\d+\] /);
    expect(lines.find((l) => l.includes('Warning: [override_rejected]'))).toMatch(/^<4>/);
    expect(lines.find((l) => l.includes('endit-deleter') && l.includes('starting'))).toMatch(/^<6>/);
  });

  it('in a terminal (no JOURNAL_STREAM) the lines have no prefix', async () => {
    const lines = await runWithStdout(createTestPool(), false);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d testpool \[\d+\] /);
  });
});
