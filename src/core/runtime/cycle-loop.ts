import type { ConfigManager } from '../config/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/index.js';
import { backoffDelayMs } from './backoff.js';
import type { DaemonBehaviour } from './daemon.js';
import type { SignalHandlers } from './signals.js';
import type { Waker } from './waker.js';

/** Before each cycle: run it, skip it (sleep, look again), or end the loop (another process owns the pool now). */
export type CycleGuard = 'run' | 'skip' | 'stop';

/** Why the loop ended. */
export type LoopEnd = 'stopped' | 'lock-lost';

export interface CycleLoopParts {
  readonly behaviour: Pick<DaemonBehaviour, 'cycle'>;
  readonly config: Pick<ConfigManager, 'current' | 'reload' | 'refreshOverride'>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug' | 'setLevels'>;
  readonly waker: Pick<Waker, 'sleep' | 'wake'>;
  /** Asked before each cycle (the instance lock). */
  readonly guard: () => CycleGuard;
  /** After each cycle, run or skipped (the stats). */
  readonly afterCycle: () => Promise<void>;
  /** Once, when the loop ends: stop the behaviour and the sessions, last stats. */
  readonly shutdown: (end: LoopEnd) => Promise<void>;
  /** A second stop signal: kill the sessions and exit at once. */
  readonly exitNow: (code: number) => void;
}

/**
 * The cycle loop every daemon shares: before each cycle the configuration
 * (a pending SIGHUP reload, else the override check) and the guard; the
 * cycle, with back-off when it throws; the stats; a sleep that events cut
 * short. Signals reach it through `handlers`.
 */
export class CycleLoop {
  #stopping = false;
  #reloadPending = false;
  #skipDelays = false;
  #cycleFailures = 0;
  #end: LoopEnd = 'stopped';
  #running: Promise<void> | null = null;
  readonly #stopped: Promise<void>;
  #settle: { resolve: () => void; reject: (error: unknown) => void } = { resolve: () => {}, reject: () => {} };

  constructor(private readonly parts: CycleLoopParts) {
    this.#stopped = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  readonly handlers: SignalHandlers = {
    reload: () => {
      this.#reloadPending = true;
      this.parts.waker.wake();
    },
    skipDelays: () => {
      this.parts.logger.debug('Got SIGUSR1: the next cycle skips its delays');
      this.#skipDelays = true;
      this.parts.waker.wake();
    },
    stop: (signal, forced) => {
      if (forced) {
        this.parts.logger.warn('forced_stop', `${signal} again: stopping at once`);
        this.parts.exitNow(0);
        return;
      }
      this.parts.logger.info(`Got ${signal}, stopping`);
      void this.stop();
    },
  };

  /** A SIGUSR1 came that the next cycle will act on. */
  get skipPending(): boolean {
    return this.#skipDelays;
  }

  /** Why the loop ended (once it has). */
  get end(): LoopEnd {
    return this.#end;
  }

  /** Runs cycles until stopped; settles once the shutdown is done. Later calls get the same promise. */
  run(): Promise<void> {
    this.#running ??= this.#loop().then(this.#settle.resolve, this.#settle.reject);
    return this.#stopped;
  }

  /**
   * Ends the loop after the cycle under way, or at once during a sleep.
   * Idempotent: every caller gets the same promise, settled when the loop
   * has shut down.
   */
  stop(): Promise<void> {
    this.#stopping = true;
    this.parts.waker.wake();
    return this.#stopped;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      await this.#refreshConfig();
      const verdict = this.parts.guard();
      if (verdict === 'stop') {
        this.#end = 'lock-lost';
        this.#stopping = true;
        break;
      }
      const waitMs = verdict === 'run' ? await this.#runCycle() : this.parts.config.current.derived.sleepMs;
      await this.parts.afterCycle();
      if (!this.#stopping) await this.parts.waker.sleep(waitMs);
    }
    await this.parts.shutdown(this.#end);
  }

  async #refreshConfig(): Promise<void> {
    const { config, logger } = this.parts;
    if (this.#reloadPending) {
      this.#reloadPending = false;
      logger.info('Got SIGHUP, reloading configuration');
      await config.reload();
    } else {
      await config.refreshOverride({ force: false });
    }
    const { verbose, debug } = config.current.values;
    logger.setLevels({ verbose, debug });
  }

  /** One cycle; a failure (a directory briefly unreadable) is retried with back-off, never a reason to exit. */
  async #runCycle(): Promise<number> {
    const skipDelays = this.#skipDelays;
    this.#skipDelays = false;
    try {
      const waitMs = await this.parts.behaviour.cycle({ skipDelays });
      this.#cycleFailures = 0;
      return waitMs;
    } catch (error) {
      this.#cycleFailures++;
      const { sleepMs, retryBackoffMaxMs } = this.parts.config.current.derived;
      const waitMs = backoffDelayMs(this.#cycleFailures, sleepMs, retryBackoffMaxMs);
      this.parts.logger.error('cycle_failed', `cycle failed (${this.#cycleFailures} in a row, retrying in ${Math.round(waitMs / 1000)} s): ${errorMessage(error)}`);
      return waitMs;
    }
  }
}
