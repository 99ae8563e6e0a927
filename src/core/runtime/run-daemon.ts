import { ConfigManager } from '../config/index.js';
import { startCoordinator, type Coordinator } from '../coordination/index.js';
import type { Logger, SessionHistory } from '../log/index.js';
import { preparePool, type PoolLayout } from '../pool/index.js';
import { CycleLoop, type LoopEnd } from './cycle-loop.js';
import type { DaemonBehaviour, DaemonDefinition } from './daemon.js';
import { limitHeapGrowth } from './heap-growth.js';
import type { InstanceLock } from './instance-lock.js';
import { guardWithLock } from './lock-guard.js';
import { packageVersion, readProgramArgs } from './program-args.js';
import type { SessionRegistry } from './session-registry.js';
import { takeHeldSignals, type PendingSignals, type SignalHandlers, type SignalRouter } from './signals.js';
import {
  loadConfigOrExit,
  openLogOrExit,
  openSessionHistory,
  recoverSessions,
  statsWriter,
  takePoolOrExit,
  Teardown,
  warnIfStatsDirMissing,
} from './start-up.js';
import { Waker } from './waker.js';

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

/** A daemon that has started: everything its cycle loop needs. */
interface Started {
  readonly config: ConfigManager;
  readonly logger: Logger;
  readonly lock: InstanceLock;
  readonly pool: PoolLayout;
  readonly sessions: SessionRegistry;
  readonly history: SessionHistory;
  readonly coordinator: Coordinator;
  readonly behaviour: DaemonBehaviour;
  readonly waker: Waker;
  /** Aborts the daemon's long work at the first stop signal (DaemonContext.stopping). */
  readonly stopWork: AbortController;
  /** DaemonContext.skipPending asks this; the loop sets it once it exists. */
  readonly skipState: { pending: () => boolean };
  readonly publishStats: () => Promise<void>;
}

/**
 * Configuration, log, pool, lock, orphan recovery, then the daemon's own
 * create. A stop signal meanwhile ends the start cleanly at the next step;
 * reload and skip signals wait in `pending` for the loop.
 */
async function startDaemon(def: DaemonDefinition, rest: readonly string[], teardown: Teardown, pending: PendingSignals): Promise<Started> {
  const { configPath, initial } = loadConfigOrExit(def, rest);
  const values = initial.snapshot.values;
  const errorsByCode = new Map<string, number>();
  const logger = openLogOrExit(def, configPath, initial, errorsByCode);
  teardown.logger = logger;
  await teardown.stopIfAsked(pending, def.program);
  const { pool, lock } = takePoolOrExit(def, values, logger);
  teardown.lock = lock;
  const history = openSessionHistory(def, values, logger);
  teardown.history = history;
  // A deleted working directory breaks dsmc; / always exists.
  process.chdir('/');
  warnIfStatsDirMissing(values, logger);
  const config = new ConfigManager(configPath, def.name, logger, initial);
  const sessions = await recoverSessions(def, pool, config, logger);
  teardown.sessions = sessions;
  await teardown.stopIfAsked(pending, def.program);

  limitHeapGrowth();
  const waker = new Waker();
  const startedMs = Date.now();
  // After the orphans were killed: joining the group removes what an earlier run left there.
  const coordinator = await startCoordinator(config, def.name, logger, packageVersion());
  const stopWork = new AbortController();
  const skipState = { pending: (): boolean => false };
  const wake = (): void => waker.wake();
  const skipPending = (): boolean => skipState.pending();
  const behaviour = await def.create({ config, logger, pool, sessions, history, wake, nowMs: Date.now, startedMs, stopping: stopWork.signal, skipPending, coordinator });
  const publishStats = statsWriter(def, values, { behaviour, errorsByCode, logger, startedMs, coordinator });
  return { config, logger, lock, pool, sessions, history, coordinator, behaviour, waker, stopWork, skipState, publishStats };
}

/** The loop of a started daemon; signals that came during start-up are handed to it first. */
function startLoop(started: Started, teardown: Teardown, pending: PendingSignals, router: SignalRouter): CycleLoop {
  const { behaviour, config, logger, waker, sessions, publishStats } = started;
  const loop = new CycleLoop({
    behaviour,
    config,
    logger,
    waker,
    guard: guardWithLock(started.lock, logger, () => preparePool(started.pool.dir)),
    afterCycle: publishStats,
    shutdown: async (end: LoopEnd) => {
      await behaviour.stop?.();
      await sessions.stopAll(STOP_TIMEOUT_MS);
      await started.coordinator.close();
      // After losing the lock the stats files are the other process's.
      if (end === 'stopped') await publishStats();
    },
    exitNow: (code) => teardown.exitNow(code),
  });
  started.skipState.pending = () => loop.skipPending;
  // The cycle under way ends early once its long work sees the stop.
  const handlers: SignalHandlers = {
    ...loop.handlers,
    stop: (signal, forced) => {
      started.stopWork.abort();
      loop.handlers.stop(signal, forced);
    },
  };
  pending.replayTo(handlers);
  router.route(handlers);
  return loop;
}

function installCrashHandlers(logger: Logger, teardown: Teardown): (error: unknown) => void {
  const crash = (error: unknown): void => {
    logger.error('internal_error', `unexpected error, killing dsmc sessions and exiting: ${(error instanceof Error ? error.stack : undefined) ?? String(error)}`);
    teardown.exitNow(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return crash;
}

/** Starts a daemon and runs its cycle loop until a stop signal (exit 0) or the loss of its pool to another process (exit 1). */
export async function runDaemon(def: DaemonDefinition, argv: readonly string[]): Promise<void> {
  const teardown = new Teardown();
  // The very first thing (the bin shim did it already, before the modules
  // loaded): from here on no signal takes Node's default action (SIGUSR1
  // would open the inspector, SIGHUP would end the process).
  const { router, pending } = takeHeldSignals((signal) => teardown.forceStop(signal));
  const args = readProgramArgs(def.program, argv);
  if (args.help || args.version) {
    process.stdout.write(args.help ? helpText(def) : `${def.program} ${packageVersion()}\n`);
    return;
  }
  const started = await startDaemon(def, args.rest, teardown, pending);
  const { logger, lock, history } = started;
  const crash = installCrashHandlers(logger, teardown);
  const loop = startLoop(started, teardown, pending, router);
  try {
    await loop.run();
  } catch (error) {
    crash(error);
  }
  logger.info(`${def.program} stopped`);
  lock.release();
  history.close();
  logger.close();
  // The signal listeners stay to the end: without them SIGUSR1 would open the inspector.
  process.exit(loop.end === 'stopped' ? 0 : 1);
}
