/**
 * The retriever with in/ on a small tmpfs and more requested bytes than fit:
 * the space reservation (SPEC 11.1) must keep every session within the
 * space, so that the emergency kill never happens, while the test plays
 * dCache and moves completed files away.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal, seedObjects, type JournalEndEntry, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, isAlive, killProcessesUnder, logLines, pnfsid, readStats, startDaemon, waitFor, type TestPool } from './harness.js';

const MIB = 1024 ** 2;
const TMPFS_BYTES = 66 * MIB;
const FILE_BYTES = 6 * MIB;
const FILES_PER_VOLUME = 8;
/** With retriever_buffersize 1 GiB on 66 MiB: buffer 33 MiB, kill line 66/16 MiB, backlog line 29.7 MiB. */
const KILL_LINE_BYTES = TMPFS_BYTES / 16;

/** Why the test cannot run here, or null. */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = fs.mkdtempSync('/tmp/endit-tmpfs-probe-');
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.status !== 0) return `mount -t tmpfs failed: ${mounted.stderr.trim()}`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const unavailable = tmpfsUnavailable();

function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

/**
 * Plays dCache: polls request/, and when in/<id> is a regular file of exactly
 * file_size bytes removes the request, then moves the file out of in/ (to
 * another filesystem, so it frees the tmpfs).
 */
function simulateDcache(pool: TestPool, takenDir: string): { stop: () => void; taken: Map<string, number>; minFreeBytes: () => number } {
  const taken = new Map<string, number>();
  let minFree = Infinity;
  const inDir = pool.path('in');
  const timer = setInterval(() => {
    minFree = Math.min(minFree, freeBytes(inDir));
    for (const name of fs.readdirSync(pool.path('request'))) {
      if (!/^[0-9A-F]+$/.test(name)) continue;
      let want: number;
      try {
        want = (JSON.parse(fs.readFileSync(pool.path('request', name), 'utf8')) as { file_size: number }).file_size;
      } catch {
        continue;
      }
      const file = path.join(inDir, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile() || st.size !== want) continue;
      fs.rmSync(pool.path('request', name));
      fs.copyFileSync(file, path.join(takenDir, name));
      fs.rmSync(file);
      taken.set(name, st.size);
    }
  }, 50);
  return { stop: () => clearInterval(timer), taken, minFreeBytes: () => minFree };
}

describe('endit-retriever with in/ on a small tmpfs', () => {
  let mountPoint: string | null = null;
  let poolRoot: string | null = null;

  afterEach(() => {
    // The daemon and its dsmc must be gone before the tmpfs can be unmounted.
    if (poolRoot !== null) killProcessesUnder(poolRoot);
    if (mountPoint !== null) {
      for (let i = 0; i < 20 && spawnSync('umount', [mountPoint]).status !== 0; i++) spawnSync('sleep', ['0.1']);
      spawnSync('umount', ['-l', mountPoint]);
    }
    mountPoint = null;
    poolRoot = null;
  });

  /** Puts in/ of the pool on a fresh tmpfs of TMPFS_BYTES. */
  function mountTmpfsIn(pool: TestPool): void {
    poolRoot = pool.root;
    pool.writeConfig({ retriever_hintfile: pool.hintPath });
    const inDir = pool.path('in');
    fs.mkdirSync(inDir);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', inDir], { encoding: 'utf8' });
    expect(mounted.status, mounted.stderr).toBe(0);
    mountPoint = inDir;
    expect(fs.statfsSync(inDir).blocks * fs.statfsSync(inDir).bsize).toBe(TMPFS_BYTES);
  }

  it.skipIf(unavailable !== null)(
    `keeps sessions within the free space, never needs the emergency kill, and recalls everything as dCache takes files away${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      const pool = createTestPool(
        { retriever_buffersize: 1, retriever_reqlistfillwait: 1, retriever_reqlistfillwaitmax: 2, retriever_remountdelay: 1, retriever_maxworkers: 2 },
        // Files land progressively (about 0.2 s each), so dCache takes some while sessions run.
        { bytesPerSecond: 30 * MIB },
      );
      mountTmpfsIn(pool);

      // Two volumes of 48 MiB each: 96 MiB requested, 66 MiB of space.
      const ids = Array.from({ length: 2 * FILES_PER_VOLUME }, (_, i) => pnfsid(100 + i));
      const volumeOf = (i: number): string => (i < FILES_PER_VOLUME ? 'VOLA' : 'VOLB');
      seedObjects(pool.library, ids.map((id, i) => ({ path: pool.path('out', id), sizeBytes: FILE_BYTES, volume: volumeOf(i) })));
      fs.writeFileSync(pool.hintPath, JSON.stringify(Object.fromEntries(ids.map((id, i) => [id, { volid: volumeOf(i), order: String(i), size: FILE_BYTES }]))));
      fs.mkdirSync(pool.path('request'), { recursive: true });
      for (const id of ids) fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: FILE_BYTES, parent_pid: process.pid, action: 'recall' }));

      const takenDir = path.join(pool.root, 'taken');
      fs.mkdirSync(takenDir);
      const dcache = simulateDcache(pool, takenDir);
      try {
        startDaemon('retriever', pool);
        let worstState = 0;
        await waitFor(() => {
          worstState = Math.max(worstState, readStats(pool, 'retriever')?.['retriever_backoffstate'] ?? 0);
          return dcache.taken.size === ids.length;
        }, 'every file recalled and taken by dCache', 60_000);

        expect([...dcache.taken.values()].every((size) => size === FILE_BYTES)).toBe(true);
        expect(fs.readdirSync(pool.path('request')).filter((n) => /^[0-9A-F]+$/.test(n))).toEqual([]);
        // Never at or below the kill line, never FULL, no session killed, no dsmc failure (ENOSPC).
        expect(dcache.minFreeBytes()).toBeGreaterThanOrEqual(KILL_LINE_BYTES);
        expect(worstState).toBeLessThan(2);
        expect(logLines(pool, 'retriever', '[space_full]')).toEqual([]);
        const journal = readJournal(pool.library);
        const starts = journal.filter((e): e is JournalStartEntry => e.event === 'start');
        const endsOk = journal.filter((e): e is JournalEndEntry => e.event === 'end').map((e) => e.outcome);
        expect(endsOk.every((o) => o === 'ok')).toBe(true);
        // The space was too small for everything at once: some lists were cut.
        expect(starts.length).toBeGreaterThan(2);
        for (const start of starts) expect((start.listLength ?? 0) * FILE_BYTES).toBeLessThanOrEqual(TMPFS_BYTES - KILL_LINE_BYTES);
        expect(logLines(pool, 'retriever', '[buffer_exceeds_filesystem]')).toHaveLength(1);
      } finally {
        dcache.stop();
      }
    },
  );

  it.skipIf(unavailable !== null)(
    `kills running sessions with SIGKILL when something else fills the space (FULL), and recalls again once there is room${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      const pool = createTestPool(
        { retriever_buffersize: 1, retriever_reqlistfillwait: 1, retriever_reqlistfillwaitmax: 2, retriever_remountdelay: 3600 },
        // The session waits in its "mount", ignoring SIGTERM: only SIGKILL ends it.
        { rules: [{ command: 'retrieve', action: 'hang', times: 1, ignoreSigterm: true }] },
      );
      mountTmpfsIn(pool);
      const id = pnfsid(200);
      seedObjects(pool.library, [{ path: pool.path('out', id), sizeBytes: MIB, volume: 'VOLF' }]);
      fs.writeFileSync(pool.hintPath, JSON.stringify({ [id]: { volid: 'VOLF', order: '1' } }));
      fs.mkdirSync(pool.path('request'), { recursive: true });
      fs.writeFileSync(pool.path('request', id), JSON.stringify({ file_size: MIB, parent_pid: process.pid, action: 'recall' }));
      startDaemon('retriever', pool);

      const starts = (): JournalStartEntry[] => readJournal(pool.library).filter((e): e is JournalStartEntry => e.event === 'start');
      await waitFor(() => starts().length === 1, 'a session hanging');
      const hanging = starts()[0]?.pid as number;
      // Someone else writes 63 MiB into the filesystem of in/: below the kill line.
      const filler = pool.path('in', 'not-a-recall');
      fs.writeFileSync(filler, Buffer.alloc(63 * MIB, 1));
      await waitFor(() => logLines(pool, 'retriever', '[space_full]').length === 1, 'space FULL logged');
      await waitFor(() => !isAlive(hanging), 'the hanging dsmc killed');
      await waitFor(() => readStats(pool, 'retriever')?.['retriever_backoffstate'] === 2, 'backoffstate 2');
      await waitFor(() => readStats(pool, 'retriever')?.['retriever_space_held'] === 1, 'space_held 1 while the request waits');
      expect(logLines(pool, 'retriever', '[space_full]')[0]).toMatch(/killing 1 retrieve session/);

      fs.rmSync(filler);
      await waitFor(() => fs.statSync(pool.path('in', id), { throwIfNoEntry: false })?.size === MIB, 'recalled once there is room (no remount delay: nothing was read)');
      expect(starts()).toHaveLength(2);
      expect(logLines(pool, 'retriever', 'Space OK').length).toBe(2);
    },
  );
});
