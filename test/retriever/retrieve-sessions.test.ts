import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { preparePool, type PoolLayout } from '../../src/core/pool/index.js';
import type { DaemonContext } from '../../src/core/runtime/index.js';
import type { DsmcOutcome } from '../../src/core/dsmc/index.js';
import type { PlannedRetrieveSession } from '../../src/retriever/policy.js';
import { RequestCache } from '../../src/retriever/request-cache.js';
import { RetrieveSessions, type RetrieverCounters } from '../../src/retriever/retrieve-sessions.js';
import { ABSENT, UNREAD, WORKING } from '../../src/retriever/slot-store.js';

/** The file list of the volume `BROKEN` cannot be written (as a full or failing requestlists/ would do); others can. */
vi.mock('../../src/core/dsmc/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/dsmc/index.js')>();
  return {
    ...original,
    writeFileList: async (dir: string, prefix: string, paths: readonly string[]) => {
      if (prefix === 'BROKEN') throw Object.assign(new Error(`ENOSPC: no space left on device, open '${dir}/${prefix}.abcdef'`), { code: 'ENOSPC' });
      return original.writeFileList(dir, prefix, paths);
    },
  };
});

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

function collectingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = (): void => {};
  return { warnings, info: quiet, verbose: quiet, debug: quiet, warn: (code, m) => warnings.push(`[${code}] ${m}`), error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };
}

describe('RetrieveSessions.start', () => {
  let root: string;
  let pool: PoolLayout;
  let cache: RequestCache;
  let logger: ReturnType<typeof collectingLogger>;
  let runs: string[];
  let lists: Map<string, string[]>;
  let sessions: RetrieveSessions;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-sessions-'));
    pool = preparePool(root);
    cache = new RequestCache();
    logger = collectingLogger();
    runs = [];
    lists = new Map();
    const ctx = {
      pool,
      logger,
      config: { current: { values: { dsmc_executable: '/bin/false', dsmcopts: [], dsmc_displayopts: [], dsmc_cpulimit: 60 }, derived: { dsmcStallTimeoutMs: 0 } } },
      sessions: {
        run: (start: { listFile: string }): Promise<DsmcOutcome> => {
          const volume = path.basename(start.listFile).replace(/\.[^.]+$/, '');
          runs.push(volume);
          lists.set(volume, fs.readFileSync(start.listFile, 'utf8').split('\n').filter((line) => line !== ''));
          return new Promise(() => {}); // still running
        },
      },
      wake: () => {},
      nowMs: () => 0,
      startedMs: 0,
    } as unknown as DaemonContext;
    const counters: RetrieverCounters = { stagedBytes: 0, stagedFiles: 0, stageRetries: 0, failedFiles: 0, sessions: 0, freshMounts: 0 };
    sessions = new RetrieveSessions(ctx, cache, counters);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A pending request as the cache knows it after a scan, with its request file in request/. */
  function pending(n: number): PlannedRetrieveSession['requests'][number] {
    fs.writeFileSync(path.join(pool.request, id(n)), JSON.stringify({ file_size: 10, action: 'recall' }));
    cache.observe(id(n), 1000, 10);
    cache.markRead(id(n), 1000, { kind: 'pending', fileSizeBytes: 10, parentPid: null });
    return { id: id(n), sizeBytes: 10, sinceMs: 1000, order: null };
  }

  function plan(volume: string, ...ns: number[]): PlannedRetrieveSession {
    const requests = ns.map(pending);
    return { volume, requests, bytes: 10 * ns.length, cut: false, followOn: false, reason: 'test' };
  }

  it('fault 10: a file list that cannot be written affects its volume only: logs it, puts the requests back, reports a failed session for that volume, and the next volume starts', async () => {
    const broken = plan('BROKEN', 1);
    const fine = plan('FINE', 2);
    expect(await sessions.start(broken)).toBe(false);
    expect(await sessions.start(fine)).toBe(true);
    expect(runs).toEqual(['FINE']);
    expect(cache.stateOf(id(1))).toBe(UNREAD);
    expect(cache.stateOf(id(2))).toBe(WORKING);
    expect(sessions.takeEnded()).toEqual([{ volume: 'BROKEN', succeeded: false, killedByUs: false, cut: false, mounted: false }]);
    expect(logger.warnings).toEqual([expect.stringMatching(/^\[list_write_failed\] cannot write the file list of volume BROKEN in .*: ENOSPC/)]);
  });

  it('issue 11, cancelled stage: a request removed after the last scan (dCache cancelled the stage) is left out of the list; the others start', async () => {
    const session = plan('VOL1', 1, 2, 3);
    fs.rmSync(path.join(pool.request, id(2)));
    expect(await sessions.start(session)).toBe(true);
    expect(lists.get('VOL1')).toEqual([path.join(pool.out, id(1)), path.join(pool.out, id(3))]);
    expect(cache.stateOf(id(2))).toBe(ABSENT);
    expect(sessions.working()).toMatchObject({ files: 2, bytes: 20 });
  });

  it('issue 11, cancelled stage: a list whose every request was cancelled starts no session', async () => {
    const session = plan('VOL2', 4);
    fs.rmSync(path.join(pool.request, id(4)));
    expect(await sessions.start(session)).toBe(false);
    expect(runs).toEqual([]);
  });
});
