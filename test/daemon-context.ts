/**
 * A daemon's context for tests that drive its cycle in-process: a real pool
 * under `root`, a config file's text parsed as the daemon would, a text log
 * in `root`, and the clock and wake-up hooks the test gives.
 */
import path from 'node:path';
import { ConfigManager, parseMainConfig } from '../src/core/config/index.js';
import type { Coordinator } from '../src/core/coordination/index.js';
import { createLogger, createSessionHistory } from '../src/core/log/index.js';
import { preparePool, type PoolLayout } from '../src/core/pool/index.js';
import { SessionRegistry, type DaemonContext, type DaemonName } from '../src/core/runtime/index.js';

const FAKE_DSMC = path.resolve(import.meta.dirname, '../bin/fake-dsmc');

/** A pnfsid-like name for the number n. */
export const testId = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

export interface TestContextOptions {
  readonly daemon: DaemonName;
  /** Holds the log, stats and override file. */
  readonly root: string;
  /** The pool directory (created with its layout). */
  readonly dir: string;
  readonly hsm: string;
  /** Config keys beside the ones every test needs (they win). */
  readonly config?: Readonly<Record<string, string | number>>;
  readonly nowMs: () => number;
  readonly startedMs: number;
  readonly wake?: () => void;
  readonly coordinator?: Coordinator;
}

export interface TestContext {
  readonly context: DaemonContext;
  readonly pool: PoolLayout;
}

/** The config file's text: the keys a pool needs, the fake dsmc, sleeptime 60, then `config`. */
function testConfigText(options: Pick<TestContextOptions, 'root' | 'dir' | 'hsm' | 'config'>): string {
  const { root, dir, hsm } = options;
  const keys = {
    'desc-short': hsm,
    'desc-long': `${hsm} test`,
    dir,
    logdir: root,
    currstatsdir: root,
    confoverridefile: path.join(root, 'override.json'),
    dsmcopts: '-asnode=X',
    dsmc_executable: FAKE_DSMC,
    sleeptime: 60,
    ...options.config,
  };
  return Object.entries(keys)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
}

export function daemonTestContext(options: TestContextOptions): TestContext {
  const { daemon, root, hsm } = options;
  const parsed = parseMainConfig(testConfigText(options), 'endit.conf');
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const logName = `tsm${daemon}`;
  const logger = createLogger({ logName, logdir: root, hsm, format: 'text' });
  const pool = preparePool(options.dir);
  const context: DaemonContext = {
    config: new ConfigManager('endit.conf', daemon, logger, { snapshot: parsed.snapshot, warnings: [] }),
    logger,
    pool,
    sessions: new SessionRegistry(pool.requestlists, daemon, () => false),
    history: createSessionHistory({ daemon, logName, logdir: root, hsm, logger }),
    wake: options.wake ?? (() => undefined),
    nowMs: options.nowMs,
    startedMs: options.startedMs,
    stopping: new AbortController().signal,
    skipPending: () => false,
    ...(options.coordinator === undefined ? {} : { coordinator: options.coordinator }),
  };
  return { context, pool };
}
