/**
 * Issue 15 item 4: while the archiver reads many entries of out/ and while
 * the retriever reads many entries of request/ or of its hint file, SIGTERM
 * stops the daemon within 2 s and SIGUSR1 takes effect within 2 s. The
 * signal is sent while the daemon has the directory or the hint file open
 * (its listing or its load is under way: an fd on it in /proc/<pid>/fd). The
 * size runs in seconds; the requirement is for a million entries, so the
 * SIGTERM tests also check that the stop did not wait for the listing or the
 * load to end (what makes the bound hold at any size).
 *
 * The retriever loads its hint file in slices, between which signals are
 * handled. A SIGUSR1 during the load is taken at once, but the sessions it
 * starts need the volumes the hint file gives: they start within 2 s of the
 * end of the load. A SIGUSR1 during a listing does not wait for it: the
 * archiver flushes the files listed so far, the retriever starts sessions
 * for the requests listed so far, before the listing ends (its log line
 * comes later); the listing goes on, and the archiver flushes the rest once
 * it is complete, each file once.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listObjects, seedObject } from '../../src/fake-dsmc/library.js';
import { createTestPool, logLines, pnfsid, readLog, readStats, startDaemon, waitFor, type TestPool } from './harness.js';

const N = 100_000;
/** Files the archiver's SIGUSR1 test archives to the fake tape library (all of them: that takes most of its time). */
const N_ARCHIVED = 40_000;
/** Requests of the retriever's hint file tests (the hint file is what takes long to read there). */
const N_HINTED = 30_000;
/** Entries of the retriever's hint file (every request is among them): its load takes seconds. */
const HINT_ENTRIES = 300_000;
/** Issue 15 item 4's bound, generous at this size. */
const LIMIT_MS = 2000;
const OPEN_TIMEOUT_MS = 60_000;

type Running = ReturnType<typeof startDaemon>;

/** Whether process `pid` has directory `dir` open now (a listing under way). */
function hasDirOpen(pid: number, dir: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === dir;
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false;
  }
}

/** Polls closely (a listing of this size takes a fraction of a second) until the daemon lists `dir` (or reads the file). */
async function whileListing(daemon: Running, dir: string): Promise<void> {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  while (!hasDirOpen(daemon.pid, dir)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the daemon to read ${dir}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves 'exited' (with code 0 expected by the caller) or 'still running' after the limit. */
async function exitWithin(daemon: Running, limitMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([daemon.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), limitMs))]);
}

async function logLineWithin(pool: TestPool, program: 'archiver' | 'retriever', pattern: RegExp, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (pattern.test(readLog(pool, program))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `n` one-byte files in out/, as dCache's flush writes them (thresholds are never reached). */
function fillOut(pool: TestPool, n = N): void {
  fs.mkdirSync(pool.path('out'), { recursive: true });
  for (let i = 0; i < n; i++) fs.writeFileSync(pool.path('out', pnfsid(i)), 'x');
}

/** `n` recall requests, all new (each volume waits for its list to fill). */
function fillRequests(pool: TestPool, n: number): void {
  fs.mkdirSync(pool.path('request'), { recursive: true });
  const time = Math.floor(Date.now() / 1000);
  for (let i = 0; i < n; i++) {
    const id = pnfsid(i);
    fs.writeFileSync(pool.path('request', id), JSON.stringify({ action: 'recall', file_size: 1, parent_pid: process.pid, time, storage_class: 'test:tape@osm', path: `/pnfs/test/${id}` }));
  }
}

/** A hint file of HINT_ENTRIES ids (those of the requests first) over 100 volumes, in force. */
function writeHints(pool: TestPool): void {
  const hints: Record<string, { volid: string; order: string; size: number }> = {};
  for (let i = 0; i < HINT_ENTRIES; i++) hints[pnfsid(i)] = { volid: `V${String(i % 100).padStart(3, '0')}`, order: String(i), size: 1 };
  fs.writeFileSync(pool.hintPath, JSON.stringify(hints));
  pool.writeConfig({ retriever_hintfile: pool.hintPath });
}

describe('the archiver and the retriever stay responsive while they read many entries (issue 15 item 4)', () => {
  it('item 4: SIGTERM while the archiver lists out/: exit 0 within 2 s, without waiting for the listing to end', async () => {
    const pool = createTestPool({ archiver_timeout: 86400 });
    fillOut(pool);
    const daemon = startDaemon('archiver', pool);
    await whileListing(daemon, pool.path('out'));
    daemon.child.kill('SIGTERM');
    expect(await exitWithin(daemon, LIMIT_MS)).toEqual({ code: 0, signal: null });
    expect(readLog(pool, 'archiver')).toMatch(/endit-archiver stopped/);
    expect(fs.existsSync(pool.path('.endit-archiver.lock'))).toBe(false);
    // The listing was cut short: the figures written at the stop know none of the N files.
    expect(readStats(pool, 'archiver')?.['archiver_usage_files']).toBeLessThan(N);
    expect(fs.readdirSync(pool.path('out'))).toHaveLength(N);
  });

  it('item 4: SIGUSR1 while the archiver lists out/: the files listed so far are flushed before the listing ends, the rest once it is complete, each file once', async () => {
    const pool = createTestPool({ archiver_timeout: 86400, debug: 1 });
    fillOut(pool, N_ARCHIVED);
    const daemon = startDaemon('archiver', pool);
    await whileListing(daemon, pool.path('out'));
    daemon.child.kill('SIGUSR1');
    expect(await logLineWithin(pool, 'archiver', /Starting archive session .*\(SIGUSR1/, OPEN_TIMEOUT_MS)).toBe(true);
    await waitFor(() => fs.readdirSync(pool.path('out')).length === 0, 'out/ flushed', OPEN_TIMEOUT_MS * 2);
    // The flush started on what the listing had found (before the listing ended); the rest was flushed once it was complete.
    const log = readLog(pool, 'archiver');
    const firstFlush = log.search(/Starting archive session .*\(SIGUSR1/);
    const listed = log.search(new RegExp(`Listed out/: ${N_ARCHIVED} files`));
    expect(listed).toBeGreaterThan(firstFlush);
    const sessions = [...log.matchAll(/Starting archive session .*: (\d+) files/g)].map((m) => Number(m[1]));
    expect(sessions[0]).toBeLessThan(N_ARCHIVED);
    expect(sessions.reduce((a, b) => a + b, 0)).toBe(N_ARCHIVED);
    // Nothing archived twice: each file is in the tape library once.
    const copies = new Map<string, number>();
    for (const object of listObjects(pool.library)) copies.set(object.id, (copies.get(object.id) ?? 0) + 1);
    expect(copies.size).toBe(N_ARCHIVED);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });

  it('item 4: SIGTERM while the retriever lists request/: exit 0 within 2 s, without waiting for the listing to end', async () => {
    const pool = createTestPool({ debug: 1, retriever_buffersize: 1 });
    fillRequests(pool, N);
    const daemon = startDaemon('retriever', pool);
    await whileListing(daemon, pool.path('request'));
    daemon.child.kill('SIGTERM');
    expect(await exitWithin(daemon, LIMIT_MS)).toEqual({ code: 0, signal: null });
    expect(readLog(pool, 'retriever')).toMatch(/endit-retriever stopped/);
    expect(fs.existsSync(pool.path('.endit-retriever.lock'))).toBe(false);
    // The listing was cut short: it never logged its end (nor started a session for the default volume).
    expect(logLines(pool, 'retriever', 'Listed request/:')).toHaveLength(0);
    expect(logLines(pool, 'retriever', 'Starting retrieve session')).toHaveLength(0);
    expect(fs.readdirSync(pool.path('request'))).toHaveLength(N);
  });

  it('item 4: SIGUSR1 while the retriever lists request/: a session for the requests listed so far starts before the listing ends; the listing then completes', async () => {
    const pool = createTestPool({ debug: 1, retriever_maxworkers: 1, retriever_buffersize: 1 });
    fillRequests(pool, N);
    const daemon = startDaemon('retriever', pool);
    await whileListing(daemon, pool.path('request'));
    // Some of request/ listed (the listing hands out batches of thousands), far from all (it takes seconds here).
    await new Promise((r) => setTimeout(r, 300));
    daemon.child.kill('SIGUSR1');
    expect(await logLineWithin(pool, 'retriever', /Starting retrieve session .*\(SIGUSR1\)/, OPEN_TIMEOUT_MS)).toBe(true);
    // The listing goes on in the background and is completed later.
    expect(await logLineWithin(pool, 'retriever', /Listed request\/: 100000 files/, OPEN_TIMEOUT_MS)).toBe(true);
    const log = readLog(pool, 'retriever');
    const session = log.search(/Starting retrieve session .*\(SIGUSR1\)/);
    expect(session).toBeGreaterThanOrEqual(0);
    expect(session).toBeLessThan(log.search(/Listed request\/:/));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    // Acted on what was listed so far: not all of request/.
    expect(Number(/Starting retrieve session .*: (\d+) files.*\(SIGUSR1\)/.exec(log)?.[1])).toBeLessThan(N);
  });

  it('item 4: SIGTERM while the retriever loads its hint file: exit 0 within 2 s, without waiting for the load to end', async () => {
    const pool = createTestPool({ debug: 1, retriever_buffersize: 1 });
    fillRequests(pool, N_HINTED);
    writeHints(pool);
    const daemon = startDaemon('retriever', pool);
    await whileListing(daemon, pool.hintPath);
    daemon.child.kill('SIGTERM');
    expect(await exitWithin(daemon, LIMIT_MS)).toEqual({ code: 0, signal: null });
    expect(readLog(pool, 'retriever')).toMatch(/endit-retriever stopped/);
    expect(fs.existsSync(pool.path('.endit-retriever.lock'))).toBe(false);
    // The load was abandoned: it never logged its end (nor did a session start).
    expect(logLines(pool, 'retriever', 'Hint file')).toHaveLength(0);
    expect(logLines(pool, 'retriever', 'Starting retrieve session')).toHaveLength(0);
    expect(fs.readdirSync(pool.path('request'))).toHaveLength(N_HINTED);
  });

  it('item 4: SIGUSR1 while the retriever loads its hint file and lists request/: taken at once, a session starts within 2 s of the end of the load, fill waits skipped', async () => {
    const pool = createTestPool({ debug: 1, retriever_maxworkers: 1, retriever_buffersize: 1 });
    fillRequests(pool, N_HINTED);
    writeHints(pool);
    for (let i = 0; i < 100; i += 1) seedObject(pool.library, { path: pool.path('out', pnfsid(i)), sizeBytes: 1, content: Buffer.from('x'), volume: `V${String(i % 100).padStart(3, '0')}` });
    const daemon = startDaemon('retriever', pool);
    await whileListing(daemon, pool.hintPath);
    daemon.child.kill('SIGUSR1');
    // The signal is handled during the load, not after it.
    expect(await logLineWithin(pool, 'retriever', /Got SIGUSR1/, LIMIT_MS)).toBe(true);
    expect(logLines(pool, 'retriever', 'Hint file')).toHaveLength(0);
    // The sessions it starts need the hints' volumes: within 2 s of the end of the load.
    expect(await logLineWithin(pool, 'retriever', /Hint file .* loaded: 300000 entries/, OPEN_TIMEOUT_MS)).toBe(true);
    expect(await logLineWithin(pool, 'retriever', /Starting retrieve session for volume V\d{3}: .*\(SIGUSR1\)/, LIMIT_MS)).toBe(true);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});
