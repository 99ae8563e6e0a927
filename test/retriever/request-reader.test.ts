import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { preparePool, type PoolLayout } from '../../src/core/pool/index.js';
import { RequestCache } from '../../src/retriever/request-cache.js';
import { PidLiveness, RequestReader } from '../../src/retriever/request-reader.js';
import { statRequestFile } from '../../src/retriever/scan-requests.js';
import { ABSENT, IGNORED, INVALID, PENDING } from '../../src/retriever/slot-store.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    verbose: (m) => lines.push(`verbose ${m}`),
    debug: () => {},
    warn: (code, m) => lines.push(`warn [${code}] ${m}`),
    error: (code, m) => lines.push(`error [${code}] ${m}`),
    setLevels: () => {},
    isVerbose: true,
    isDebug: false,
    close: () => {},
  };
}

/** A pid that certainly is not running: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('RequestReader', () => {
  let root: string;
  let pool: PoolLayout;
  let cache: RequestCache;
  let logger: ReturnType<typeof collectingLogger>;
  let reader: RequestReader;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-reader-'));
    pool = preparePool(root);
    cache = new RequestCache();
    logger = collectingLogger();
    reader = new RequestReader(pool, cache, logger, new PidLiveness());
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (n: number, text: string): void => {
    fs.writeFileSync(path.join(pool.request, id(n)), text);
    const st = statRequestFile(pool.request, id(n));
    if (st !== null) cache.observe(id(n), st.mtimeMs, st.sizeBytes);
  };
  const recall = (size: number, pid: number = process.pid): string => JSON.stringify({ file_size: size, parent_pid: pid, action: 'recall' });

  it('settles each kind of request (SPEC 6.3)', async () => {
    write(1, recall(10));
    write(2, JSON.stringify({ file_size: 10, action: 'migrate' }));
    write(3, recall(10, deadPid()));
    write(4, recall(3));
    fs.writeFileSync(path.join(pool.in, id(4)), 'abc');
    write(5, '[]');
    const tally = await reader.read([id(1), id(2), id(3), id(4), id(5)]);
    expect(tally).toMatchObject({ pending: 1, ignored: 1, stale: 1, complete: 1, invalid: 1 });
    expect([1, 2, 3, 4, 5].map((n) => cache.stateOf(id(n)))).toEqual([PENDING, IGNORED, ABSENT, ABSENT, INVALID]);
    expect(fs.readdirSync(pool.request).sort()).toEqual([id(1), id(2), id(5)]);
    expect(fs.existsSync(path.join(pool.in, id(4)))).toBe(true);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/^warn \[request_invalid\] request\/0+5: not a JSON object/)]);
  });

  it('background reads give way between slices when asked (a session ended), leaving the rest unread', async () => {
    for (let n = 1; n <= 2500; n++) write(n, recall(10));
    let asked = 0;
    const tally = await reader.read(
      Array.from({ length: 2500 }, (_, i) => id(i + 1)),
      () => ++asked >= 2,
    );
    expect(tally.pending).toBe(2000); // two slices of 1000, then it gave way
    expect(cache.unreadIds(10_000)).toHaveLength(500);
  });

  it('a complete file in in/ is found whether in/ is read as names or, past the limit, lstat-ed per request', async () => {
    write(1, recall(3));
    fs.writeFileSync(path.join(pool.in, id(1)), 'abc');
    for (let n = 0; n < 1100; n++) fs.writeFileSync(path.join(pool.in, `other-${n}`), ''); // more names than one slice
    write(2, recall(3));
    const tally = await reader.read([id(1), id(2)]);
    expect(tally).toMatchObject({ pending: 1, complete: 1 });
    fs.writeFileSync(path.join(pool.in, id(2)), 'xyz');
    for (let n = 0; n < 1100; n++) fs.rmSync(path.join(pool.in, `other-${n}`));
    cache.observe(id(2), Date.now() + 1000, 60);
    expect(await reader.read([id(2)])).toMatchObject({ complete: 1 });
  });

  it('retries a file caught mid-write and reads it once complete', async () => {
    write(1, recall(42).slice(0, 12));
    const reading = reader.read([id(1)]);
    fs.writeFileSync(path.join(pool.request, id(1)), recall(42));
    await reading;
    expect(cache.stateOf(id(1))).toBe(PENDING);
    expect(cache.fileSizeOf(id(1))).toBe(42);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  it('gives up on a file that stays broken, warns once, and does not read it again until it changes', async () => {
    write(1, '');
    write(2, 'garbage');
    await reader.read(cache.unreadIds(100));
    expect(cache.unreadIds(100)).toEqual([]);
    await reader.read(cache.unreadIds(100));
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/\[request_invalid\].*empty file/);
    expect(warnings[1]).toMatch(/\[request_invalid\].*not valid JSON/);
    write(1, recall(5));
    await reader.read(cache.unreadIds(100));
    expect(cache.stateOf(id(1))).toBe(PENDING);
  });

  it('removes the pending requests of a process that died, unless rewritten under a new one', async () => {
    const dead = deadPid();
    write(1, recall(1, dead));
    cache.markRead(id(1), cache.mtimeOf(id(1)) as number, { kind: 'pending', fileSizeBytes: 1, parentPid: dead });
    write(2, recall(1, dead));
    cache.markRead(id(2), cache.mtimeOf(id(2)) as number, { kind: 'pending', fileSizeBytes: 1, parentPid: dead });
    fs.writeFileSync(path.join(pool.request, id(2)), recall(1, process.pid)); // the pool restarted and wrote it anew
    expect(await reader.removeStale(dead)).toBe(1);
    expect(fs.readdirSync(pool.request)).toEqual([id(2)]);
    expect(cache.stateOf(id(1))).toBe(ABSENT);
  });

  it('fault 3: a request replaced by a symlink since it was listed is not followed: skipped with one warning, forgotten', async () => {
    write(1, recall(10));
    const target = path.join(root, 'elsewhere.json');
    fs.writeFileSync(target, recall(10));
    fs.rmSync(path.join(pool.request, id(1)));
    fs.symlinkSync(target, path.join(pool.request, id(1)));
    const tally = await reader.read([id(1)]);
    expect(tally.pending).toBe(0);
    expect(cache.stateOf(id(1))).toBe(ABSENT);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([`warn [odd_entry] ${pool.request}/${id(1)}: skipped, a symlink is not a regular file`]);
  });

  it('fault 3: a request replaced by a FIFO is opened without blocking and skipped', async () => {
    write(1, recall(10));
    fs.rmSync(path.join(pool.request, id(1)));
    expect(spawnSync('mkfifo', [path.join(pool.request, id(1))]).status).toBe(0);
    await reader.read([id(1)]);
    expect(cache.stateOf(id(1))).toBe(ABSENT);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([`warn [odd_entry] ${pool.request}/${id(1)}: skipped, a fifo is not a regular file`]);
  });

  it('fault 3: a symlink in in/ is never followed: a link to a file of the right size does not complete the request', async () => {
    write(1, recall(3));
    const target = path.join(root, 'three-bytes');
    fs.writeFileSync(target, 'abc');
    fs.symlinkSync(target, path.join(pool.in, id(1)));
    const tally = await reader.read([id(1)]);
    expect(tally).toMatchObject({ pending: 1, complete: 0 });
    expect(fs.existsSync(path.join(pool.request, id(1)))).toBe(true);
  });

  it('a request file larger than 1 MiB is invalid, not read whole', async () => {
    write(1, `${recall(10)}${' '.repeat(1024 * 1024)}`);
    await reader.read([id(1)]);
    expect(cache.stateOf(id(1))).toBe(INVALID);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/\[request_invalid\] request\/0+1: cannot be read: larger than 1\.0 MiB/)]);
  });
});
