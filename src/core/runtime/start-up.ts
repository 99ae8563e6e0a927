import fs from 'node:fs';
import { ConfigError, ConfigManager, loadMainConfig, resolveConfigPath, type ConfigValues, type MainConfigLoad } from '../config/index.js';
import { errorMessage } from '../errors.js';
import { createLogger, createSessionHistory, type Logger, type SessionHistory } from '../log/index.js';
import { preparePool, type PoolLayout } from '../pool/index.js';
import { StatsPublisher } from '../stats/index.js';
import type { DaemonBehaviour, DaemonDefinition } from './daemon.js';
import { acquireInstanceLock, lockPath, type InstanceLock } from './instance-lock.js';
import { preflightProblems } from './preflight.js';
import { packageVersion } from './program-args.js';
import { SessionRegistry } from './session-registry.js';
import type { PendingSignals } from './signals.js';

/** What a daemon holds that must be undone when it exits, filled in as start-up takes it. */
export class Teardown {
  logger: Logger | null = null;
  history: SessionHistory | null = null;
  lock: InstanceLock | null = null;
  sessions: SessionRegistry | null = null;

  /** Kills the dsmc sessions, releases the lock, closes the log and exits (synchronous: usable from an exception handler). */
  exitNow(code: number): never {
    this.sessions?.killAllNow();
    this.lock?.release();
    this.history?.close();
    this.logger?.close();
    process.exit(code);
  }

  /** A second stop signal. */
  forceStop(signal: NodeJS.Signals): never {
    this.logger?.warn('forced_stop', `${signal} again: stopping at once`);
    this.exitNow(0);
  }

  /**
   * Between start-up steps: a stop signal that came meanwhile ends the start
   * cleanly here. Signal listeners run only when the event loop turns, which
   * synchronous start-up steps do not let it do: one turn first.
   */
  async stopIfAsked(pending: PendingSignals, program: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const signal = pending.stopSignal;
    if (signal === null) return;
    this.logger?.info(`Got ${signal} while starting, stopping`);
    this.logger?.info(`${program} stopped`);
    this.exitNow(0);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export function loadConfigOrExit(def: DaemonDefinition, rest: readonly string[]): { configPath: string; initial: MainConfigLoad } {
  try {
    const configPath = resolveConfigPath(rest, process.env);
    return { configPath, initial: loadMainConfig(configPath) };
  } catch (error) {
    if (error instanceof ConfigError) fail(`${def.program}: ${error.message}`);
    throw error;
  }
}

/** The log, with the start-up line and the configuration's warnings written. */
export function openLogOrExit(def: DaemonDefinition, configPath: string, initial: MainConfigLoad, errorsByCode: Map<string, number>): Logger {
  const values = initial.snapshot.values;
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
  return logger;
}

/** The session history next to the log (`<logdir>/<logName>-sessions.jsonl`, or the log itself with logdir -). */
export function openSessionHistory(def: DaemonDefinition, values: ConfigValues, logger: Logger): SessionHistory {
  return createSessionHistory({ daemon: def.name, logName: def.logName, logdir: values.logdir, hsm: values['desc-short'], logger });
}

/**
 * The checks `endit check-config` makes, so that the two never disagree. A
 * missing dsmc only warns: the daemon runs, and each session then fails
 * naming the path, until an administrator installs it.
 */
function preflightOrExit(def: DaemonDefinition, values: ConfigValues, logger: Logger): void {
  const errors = preflightProblems(values, { logNames: [def.logName] }).filter((finding) => finding.severity === 'error');
  for (const finding of errors.filter((f) => f.key === 'dsmc_executable')) logger.warn('dsmc_failed', finding.message);
  const fatal = errors.filter((f) => f.key !== 'dsmc_executable');
  if (fatal.length === 0) return;
  for (const finding of fatal) logger.error('startup_failed', finding.message);
  fail(`${def.program}: ${fatal.map((finding) => finding.message).join('; ')}`);
}

export function takePoolOrExit(def: DaemonDefinition, values: ConfigValues, logger: Logger): { pool: PoolLayout; lock: InstanceLock } {
  preflightOrExit(def, values, logger);
  try {
    const pool = preparePool(values.dir);
    return { pool, lock: acquireInstanceLock(lockPath(values.dir, def.name)) };
  } catch (error) {
    logger.error('startup_failed', errorMessage(error));
    fail(`${def.program}: ${errorMessage(error)}`);
  }
}

/** The session registry, after the sessions a previous run left behind were killed. */
export async function recoverSessions(def: DaemonDefinition, pool: PoolLayout, config: ConfigManager, logger: Logger): Promise<SessionRegistry> {
  const sessions = new SessionRegistry(pool.requestlists, def.name, () => config.current.values.debug);
  const { orphans, invalid } = await sessions.recoverOrphans();
  for (const problem of invalid) logger.warn('session_record_invalid', problem);
  for (const orphan of orphans) {
    logger.warn('orphan_killed', `found a session left by a previous run (${orphan.listFile}); killed dsmc pid(s) ${orphan.killedPids.join(', ') || 'none running'} before starting`);
  }
  return sessions;
}

export function warnIfStatsDirMissing(values: ConfigValues, logger: Logger): void {
  if (!fs.existsSync(values.currstatsdir)) logger.warn('statsdir_missing', `currstatsdir ${values.currstatsdir} missing: no stats files until it exists`);
}

/** Writes the daemon's figures plus time, start time and errors; a failure is warned once per reason. */
export function statsWriter(
  def: DaemonDefinition,
  values: ConfigValues,
  parts: { behaviour: DaemonBehaviour; errorsByCode: ReadonlyMap<string, number>; logger: Logger; startedMs: number },
): () => Promise<void> {
  const stats = new StatsPublisher({ daemon: def.name, hsm: values['desc-short'], dir: values.currstatsdir, figures: def.figures, version: packageVersion() });
  let lastStatsError = '';
  return async () => {
    const figures = {
      ...parts.behaviour.figures(),
      [`${def.name}_time`]: Math.floor(Date.now() / 1000),
      [`${def.name}_starttime`]: Math.floor(parts.startedMs / 1000),
    };
    try {
      await stats.publish({ values: figures, errorsByCode: parts.errorsByCode });
      lastStatsError = '';
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastStatsError) parts.logger.warn('stats_write_failed', `cannot write stats to ${values.currstatsdir}: ${message}`);
      lastStatsError = message;
    }
  };
}
