import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseHintFile } from '../../src/core/hints/index.js';
import { listObjects } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, readLog, REPO_ROOT, runFakeDsmc, runProgram, type TestPool } from './harness.js';

/** Puts files in out/ and archives them through the fake dsmc, as the archiver would. */
async function archive(pool: TestPool, files: Record<string, string>, description: string): Promise<void> {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  fs.mkdirSync(pool.path('requestlists'), { recursive: true });
  for (const [id, content] of Object.entries(files)) fs.writeFileSync(pool.path('out', id), content);
  const list = pool.path('requestlists', `tsm-archive-files.${description}`);
  fs.writeFileSync(list, `${Object.keys(files).map((id) => pool.path('out', id)).join('\n')}\n`);
  const result = await runFakeDsmc(pool, ['archive', '-deletefiles', '-asnode=TESTNODE', `-description=${description}`, `-filelist=${list}`]);
  expect(result.code, result.stderr).toBe(0);
}

/** Runs endit-tapehints under a given umask (through sh, as cron or systemd would start it). */
async function runWithUmask(pool: TestPool, umask: string): Promise<number | null> {
  const child = spawn('/bin/sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, path.join(REPO_ROOT, 'bin', 'endit-tapehints'), '--config', pool.configPath], {
    env: { ...process.env, ...pool.env },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('endit-tapehints', () => {
  it('after archiving through the fake dsmc writes a hint file the retriever reads, reporting a duplicate', async () => {
    const pool = createTestPool();
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(pnfsid) as [string, string, string, string, string];
    await archive(pool, { [a]: 'aaaa', [b]: 'bbbbbbbb', [c]: 'c', [d]: 'dd', [e]: 'eee' }, 'ENDIT-first');
    await archive(pool, { [a]: 'a second, longer copy' }, 'ENDIT-second'); // a duplicate with another size
    await archive(pool, { [b]: 'BBBBBBBB' }, 'ENDIT-third'); // a duplicate with the same size

    expect(await runWithUmask(pool, '027')).toBe(0);
    const hints = parseHintFile(fs.readFileSync(pool.hintPath, 'utf8'), pool.hintPath);
    expect(hints.size).toBe(5);
    const firstCopies = new Map<string, ReturnType<typeof listObjects>[number]>();
    for (const object of listObjects(pool.library)) if (!firstCopies.has(object.id)) firstCopies.set(object.id, object);
    for (const [id, object] of firstCopies) {
      const hint = hints.get(id);
      expect(hint?.volid).toBe(String(object.volumeId)); // a number, as real dsmc prints it (tsmtapehints.pl matches digits only)
      expect(hint?.sizeBytes).toBe(object.sizeBytes);
      expect(hint?.order).toMatch(/^[0-9A-F]{8}-[0-9A-F]{8}-[0-9A-F]{8}-[0-9A-F]{8}$/);
    }
    expect(hints.get(a)?.sizeBytes).toBe(4); // the first copy wins
    // tape order within a volume follows the restore order
    const onFirstVolume = [...hints].filter(([, h]) => h.volid === hints.get(a)?.volid).sort(([, x], [, y]) => ((x.order ?? "") < (y.order ?? "") ? -1 : 1)).map(([id]) => id);
    expect(onFirstVolume).toEqual([a, b, c, d]);
    expect(fs.statSync(pool.hintPath).mode & 0o777).toBe(0o640);

    const log = readLog(pool, 'tapehints');
    expect(log).toMatch(new RegExp(`\\[duplicate_object\\] File ${a} has 1 duplicate, some with different size`));
    expect(log).toMatch(new RegExp(`\\[duplicate_object\\] File ${b} has 1 duplicate\\n`));
    expect(log).toMatch(/2 files with total 2 duplicates \(1 with a size mismatch\)/);
    expect(log).toMatch(/updated \(5 hints on 2 volumes, 7 objects listed\)/);
    // no temporary file is left next to the hint file
    expect(fs.readdirSync(path.dirname(pool.hintPath)).filter((n) => n.includes('hints.json'))).toEqual(['hints.json']);
  });

  it('$ENDIT_RETRIEVER_HINTFILE overrides retriever_hintfile', async () => {
    const pool = createTestPool();
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    await archive(pool, { [pnfsid(7)]: 'x' }, 'ENDIT-one');
    const elsewhere = path.join(pool.root, 'elsewhere.json');
    const result = await runProgram('endit-tapehints', pool, [], { ENDIT_RETRIEVER_HINTFILE: elsewhere });
    expect(result.code).toBe(0);
    expect([...parseHintFile(fs.readFileSync(elsewhere, 'utf8'), elsewhere).keys()]).toEqual([pnfsid(7)]);
    expect(fs.existsSync(pool.hintPath)).toBe(false);
  });

  it('a failed query leaves the old hint file untouched and exits non-zero with the dsmc messages logged', async () => {
    const pool = createTestPool({}, { rules: [{ command: 'query', action: 'fail', rc: 12, message: 'ANS1017E Session rejected: TCP/IP connection failure' }] });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    await archive(pool, { [pnfsid(8)]: 'x' }, 'ENDIT-one');
    fs.writeFileSync(pool.hintPath, '{"0000AA":{"volid":"OLD","order":"1"}}\n');
    const before = fs.statSync(pool.hintPath).mtimeMs;
    const result = await runProgram('endit-tapehints', pool);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dsmc query archive exited with code 12/);
    expect(fs.readFileSync(pool.hintPath, 'utf8')).toBe('{"0000AA":{"volid":"OLD","order":"1"}}\n');
    expect(fs.statSync(pool.hintPath).mtimeMs).toBe(before);
    const log = readLog(pool, 'tapehints');
    expect(log).toMatch(/\[dsmc_message\] dsmc query archive: ANS1017E Session rejected/);
    expect(log).toMatch(/\[dsmc_failed\] dsmc query archive exited with code 12: .* left as it was/);
  });

  it('fault 17: a flood of messages in a failed query is logged as counts per code, not line by line', async () => {
    const pool = createTestPool({}, { rules: [{ command: 'query', action: 'flood', floodMessages: 20_000 }] });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const result = await runProgram('endit-tapehints', pool);
    expect(result.code).toBe(1); // rc 8 with more than ANS1092W: not an empty result
    const log = readLog(pool, 'tapehints');
    expect(log).toMatch(/dsmc query archive: 20001 messages \(ANS1228E 5000, ANS1809W 5000, ANS1898I 5000, ANS4005E 5000, ANS1092W 1\); 19920 not kept/);
    expect(log.split('\n').filter((line) => line.includes('dsmc query archive: ANS')).length).toBeLessThanOrEqual(50);
    expect(fs.existsSync(pool.hintPath)).toBe(false);
  });

  it('fault 14: a line too long to keep is cut and reported; the listing around it still makes the hint file', async () => {
    const pool = createTestPool({}, { rules: [{ command: 'query', action: 'long-line', lineBytes: 5_000_000, afterFiles: 1 }] });
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    await archive(pool, { [pnfsid(1)]: 'a', [pnfsid(2)]: 'bb' }, 'ENDIT-one');
    const result = await runProgram('endit-tapehints', pool);
    expect(result.code, result.stderr).toBe(0);
    expect([...parseHintFile(fs.readFileSync(pool.hintPath, 'utf8'), pool.hintPath).keys()].sort()).toEqual([pnfsid(1), pnfsid(2)]);
    expect(readLog(pool, 'tapehints')).toMatch(/\[dsmc_output_cut\] dsmc query archive: 1 line longer than 65536 characters cut \(4934464 characters dropped\)/);
  });

  it('nothing archived yet (ANS1092W, rc 8) is an empty, valid result', async () => {
    const pool = createTestPool();
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const result = await runProgram('endit-tapehints', pool);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(pool.hintPath, 'utf8')).toBe('{}\n');
    expect(readLog(pool, 'tapehints')).toMatch(/no archived files \(ANS1092W\)/);
  });

  it('without a hint file configured there is nothing to do: exit 1', async () => {
    const pool = createTestPool();
    const result = await runProgram('endit-tapehints', pool);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/retriever_hintfile not configured/);
  });

  it('--help and --version', async () => {
    const pool = createTestPool();
    const help = await runProgram('endit-tapehints', pool, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: endit-tapehints/);
    const version = await runProgram('endit-tapehints', pool, ['--version']);
    expect(version.stdout).toMatch(/^endit-tapehints \d+\.\d+\.\d+/);
  });
});
