import fs from 'node:fs';
import { ConfigError, ConfigManager, loadMainConfig, resolveConfigPath } from '../config/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { preparePool, type PoolLayout } from '../pool/index.js';
import { StatsPublisher, type FigureSpec } from '../stats/index.js';
import { backoffDelayMs } from './backoff.js';
import { acquireInstanceLock, lockPath } from './instance-lock.js';
import { packageVersion, readProgramArgs } from './program-args.js';
import { SessionRegistry } from './session-registry.js';
import { installSignalHandlers } from './signals.js';
import { Waker } from './waker.js';
import { limitHeapGrowth } from './heap-growth.js';
import { errorMessage } from '../errors.js';

export type DaemonName = 'archiver' | 'retriever' | 'deleter';

/** What every daemon is given by the shared shell. */
export interface DaemonContext {
  readonly config: ConfigManager;
  readonly logger: Logger;
  readonly pool: PoolLayout;
  readonly sessions: SessionRegistry;
  /** Cut the current sleep short (a session ended, an event arrived). */
  readonly wake: () => void;
  readonly nowMs: () => number;
  readonly startedMs: number;
}

export interface DaemonBehaviour {
  /** One cycle: look, decide, act. Returns milliseconds until the next cycle. */
  cycle(input: { readonly skipDelays: boolean }): Promise<number>;
  /** The figures of SPEC 9 as plain numbers (without time/starttime/info/errors: the shell adds those). */
  figures(): Record<string, number>;
  /** Release watchers and timers; sessions are stopped by the shell. */
  stop?(): Promise<void>;
}

export interface DaemonDefinition {
  readonly name: DaemonName;
  /** Log file base name the Perl program used, e.g. `tsmarchiver`. */
  readonly logName: string;
  readonly program: string;
  readonly summary: string;
  readonly figures: readonly FigureSpec[];
  create(context: DaemonContext): Promise<DaemonBehaviour>;
}

/** A stop must finish "within a few seconds" even when dsmc ignores everything but SIGKILL. */
const STOP_TIMEOUT_MS = 5000;

function helpText(def: DaemonDefinition): string {
  return `Usage: ${def.program} [--config PATH] [--help] [--version]

${def.summary}

Configuration: --config PATH, else $ENDIT_CONFIG, else /etc/endit/endit.conf.
Signals: SIGUSR1 skips delays once, SIGHUP reloads the configuration,
SIGTERM/SIGINT/SIGQUIT stop (running dsmc sessions are killed; files stay).
`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Starts a daemon: configuration, log, pool, lock, orphan recovery, signals, then the cycle loop. */
export async function runDaemon(def: DaemonDefinition, argv: readonly string[]): Promise<void> {
  const args = readProgramArgs(def.program, argv);
  if (args.help) {
    process.stdout.write(helpText(def));
    return;
  }
  if (args.version) {
    process.stdout.write(`${def.program} ${packageVersion()}\n`);
    return;
  }

  let configPath: string;
  let initial: ReturnType<typeof loadMainConfig>;
  try {
    configPath = resolveConfigPath(args.rest, process.env);
    initial = loadMainConfig(configPath);
  } catch (error) {
    if (error instanceof ConfigError) fail(`${def.program}: ${error.message}`);
    throw error;
  }
  const values = initial.snapshot.values;
  const errorsByCode = new Map<string, number>();
  let logger: Logger;
  try {
    logger = createLogger({
      logName: def.logName,
      logdir: values.logdir,
      hsm: values['desc-short'],
      format: values.log_format,
      onIssue: (code) => errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + 1),
    });
  } catch (error) {
    fail(`${def.program}: cannot open log in ${values.logdir}: ${errorMessage(error)}`);
  }
  logger.setLevels({ verbose: values.verbose, debug: values.debug });
  logger.info(`${def.program} ${packageVersion()} starting: ${values['desc-long']} (configuration ${configPath})`);
  for (const warning of initial.warnings) logger.warn('config_warning', warning);

  let pool: PoolLayout;
  let releaseLock: () => void;
  try {
    pool = preparePool(values.dir);
    releaseLock = acquireInstanceLock(lockPath(values.dir, def.name));
  } catch (error) {
    logger.error('startup_failed', errorMessage(error));
    fail(`${def.program}: ${errorMessage(error)}`);
  }
  // A deleted working directory breaks dsmc; / always exists.
  process.chdir('/');
  if (!fs.existsSync(values.currstatsdir)) logger.warn('statsdir_missing', `currstatsdir ${values.currstatsdir} missing: no stats files until it exists`);

  const config = new ConfigManager(configPath, def.name, logger, initial);
  const sessions = new SessionRegistry(pool.requestlists, def.name, () => config.current.values.debug);
  for (const orphan of await sessions.recoverOrphans()) {
    logger.warn('orphan_killed', `found a session left by a previous run (${orphan.listFile}); killed dsmc pid(s) ${orphan.killedPids.join(', ') || 'none running'} before starting`);
  }

  limitHeapGrowth();
  const waker = new Waker();
  const startedMs = Date.now();
  const behaviour = await def.create({ config, logger, pool, sessions, wake: () => waker.wake(), nowMs: Date.now, startedMs });
  const stats = new StatsPublisher({ daemon: def.name, hsm: values['desc-short'], dir: values.currstatsdir, figures: def.figures, version: packageVersion() });
  let lastStatsError = '';
  const publishStats = async (): Promise<void> => {
    const figures = {
      ...behaviour.figures(),
      [`${def.name}_time`]: Math.floor(Date.now() / 1000),
      [`${def.name}_starttime`]: Math.floor(startedMs / 1000),
    };
    try {
      await stats.publish({ values: figures, errorsByCode });
      lastStatsError = '';
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastStatsError) logger.warn('stats_write_failed', `cannot write stats to ${values.currstatsdir}: ${message}`);
      lastStatsError = message;
    }
  };

  let stopping = false;
  let reloadPending = false;
  let skipDelays = false;
  const exitNow = (code: number): never => {
    sessions.killAllNow();
    releaseLock();
    logger.close();
    process.exit(code);
  };
  const removeSignalHandlers = installSignalHandlers({
    reload: () => {
      reloadPending = true;
      waker.wake();
    },
    skipDelays: () => {
      skipDelays = true;
      waker.wake();
    },
    stop: (signal, forced) => {
      if (forced) {
        logger.warn('forced_stop', `${signal} again: stopping at once`);
        exitNow(0);
      }
      logger.info(`Got ${signal}, stopping`);
      stopping = true;
      waker.wake();
    },
  });
  const crash = (error: unknown): void => {
    logger.error('internal_error', `unexpected error, killing dsmc sessions and exiting: ${(error instanceof Error ? error.stack : undefined) ?? String(error)}`);
    exitNow(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  let cycleFailures = 0;
  while (!stopping) {
    if (reloadPending) {
      reloadPending = false;
      logger.info('Got SIGHUP, reloading configuration');
      await config.reload();
    } else {
      await config.refreshOverride({ force: false });
    }
    const current = config.current.values;
    logger.setLevels({ verbose: current.verbose, debug: current.debug });
    let waitMs: number;
    try {
      const skip = skipDelays;
      skipDelays = false;
      waitMs = await behaviour.cycle({ skipDelays: skip });
      cycleFailures = 0;
    } catch (error) {
      // Transient trouble (a directory briefly unreadable): retry with back-off, never exit.
      cycleFailures++;
      waitMs = backoffDelayMs(cycleFailures, current.sleeptime * 1000, current.retry_backoff_max * 1000);
      logger.error('cycle_failed', `cycle failed (${cycleFailures} in a row, retrying in ${Math.round(waitMs / 1000)} s): ${errorMessage(error)}`);
    }
    await publishStats();
    if (!stopping) await waker.sleep(waitMs);
  }

  await behaviour.stop?.();
  await sessions.stopAll(STOP_TIMEOUT_MS);
  await publishStats();
  removeSignalHandlers();
  logger.info(`${def.program} stopped`);
  releaseLock();
  logger.close();
  process.exit(0);
}
