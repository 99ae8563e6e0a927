import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { preparePool, type PoolLayout } from '../../src/core/pool/index.js';
import type { DaemonContext } from '../../src/core/runtime/index.js';
import type { DsmcOutcome } from '../../src/core/dsmc/index.js';
import type { PlannedRetrieveSession } from '../../src/retriever/policy.js';
import { RequestCache } from '../../src/retriever/request-cache.js';
import { RetrieveSessions } from '../../src/retriever/retrieve-sessions.js';
import { PENDING, WORKING } from '../../src/retriever/slot-store.js';
import { DEFAULT_VOLUME } from '../../src/retriever/volume-name.js';
import { FakeCoordinator } from '../core/coordination/fake-coordinator.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
const quiet = (): void => {};
const logger: Logger = { info: quiet, verbose: quiet, debug: quiet, warn: quiet, error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };

describe('retrieve sessions take a lease of the group first (issue 12)', () => {
  let root: string;
  let pool: PoolLayout;
  let cache: RequestCache;
  let coordinator: FakeCoordinator;
  let runs: { volume: string; lease: unknown }[];
  let sessions: RetrieveSessions;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-sessions-group-'));
    pool = preparePool(root);
    cache = new RequestCache();
    coordinator = new FakeCoordinator();
    runs = [];
    const ctx = {
      pool,
      logger,
      config: { current: { values: { dsmc_executable: '/bin/false', dsmcopts: [], dsmc_displayopts: [], dsmc_cpulimit: 60 }, derived: { dsmcStallTimeoutMs: 0 } } },
      sessions: {
        run: (start: { listFile: string; lease?: unknown }): Promise<DsmcOutcome> => {
          runs.push({ volume: path.basename(start.listFile).replace(/\.[^.]+$/, ''), lease: start.lease });
          return new Promise(() => {});
        },
      },
      wake: quiet,
      nowMs: () => 0,
      startedMs: 0,
      coordinator,
    } as unknown as DaemonContext;
    sessions = new RetrieveSessions(ctx, cache, { stagedBytes: 0, stagedFiles: 0, stageRetries: 0, failedFiles: 0, sessions: 0, freshMounts: 0 });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function plan(volume: string, n: number): PlannedRetrieveSession {
    // Its request file is there: one gone by the time the session starts was cancelled.
    fs.writeFileSync(path.join(pool.request, id(n)), '{}');
    cache.observe(id(n), 1000, 10);
    cache.markRead(id(n), 1000, { kind: 'pending', fileSizeBytes: 10, parentPid: null });
    return { volume, requests: [{ id: id(n), sizeBytes: 10, sinceMs: 1000, order: null }], bytes: 10, cut: false, followOn: false, reason: 'test' };
  }

  it('no lease: nothing starts, no list is written, the requests keep waiting', async () => {
    coordinator.grant = false;
    expect(await sessions.start(plan('VOL1', 1))).toBe(false);
    expect(runs).toEqual([]);
    expect(cache.stateOf(id(1))).toBe(PENDING);
    expect(fs.readdirSync(pool.requestlists)).toEqual([]);
    expect(sessions.takeEnded()).toEqual([]);
  });

  it('a lease for the volume goes with the session to the registry, which gives it back', async () => {
    expect(await sessions.start(plan('VOL1', 1))).toBe(true);
    expect(coordinator.requests).toEqual([{ kind: 'retrieve', volume: 'VOL1' }]);
    expect(runs).toEqual([{ volume: 'VOL1', lease: [...coordinator.held][0] }]);
    expect(cache.stateOf(id(1))).toBe(WORKING);
  });

  it('requests of no known volume are not one tape: no volume lease', async () => {
    expect(await sessions.start(plan(DEFAULT_VOLUME, 2))).toBe(true);
    expect(coordinator.requests).toEqual([{ kind: 'retrieve' }]);
  });

  it('a lease taken for nothing left to recall is given back at once', async () => {
    const p = plan('VOL2', 3);
    cache.forget(id(3));
    expect(await sessions.start(p)).toBe(false);
    expect(coordinator.released).toBe(1);
  });
});
