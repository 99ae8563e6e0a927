export interface SignalHandlers {
  /** SIGHUP. */
  readonly reload: () => void;
  /** SIGUSR1. */
  readonly skipDelays: () => void;
  /** SIGTERM, SIGINT, SIGQUIT; the second one forces the stop. */
  readonly stop: (signal: NodeJS.Signals, forced: boolean) => void;
}

export interface SignalRouter {
  /** Sends the events to `handlers` from now on (a stop before counts: the next one is forced). */
  route(handlers: SignalHandlers): void;
  /**
   * Removes the process listeners. A daemon never does before it exits:
   * without a listener Node opens its inspector on SIGUSR1 (anyone on the
   * host could then run code as the daemon's user) and SIGHUP kills it.
   */
  remove(): void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

/**
 * The one place that listens to process signals; turns them into events for
 * `handlers`, which can be swapped (start-up, then the cycle loop).
 */
export function routeSignals(handlers: SignalHandlers, proc: NodeJS.Process = process): SignalRouter {
  let current = handlers;
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    const forced = stopping;
    stopping = true;
    current.stop(signal, forced);
  };
  const listeners: Array<[NodeJS.Signals, (signal: NodeJS.Signals) => void]> = [
    ['SIGHUP', () => current.reload()],
    ['SIGUSR1', () => current.skipDelays()],
    ...STOP_SIGNALS.map((s): [NodeJS.Signals, (signal: NodeJS.Signals) => void] => [s, onStop]),
  ];
  for (const [signal, listener] of listeners) proc.on(signal, listener);
  return {
    route: (next) => {
      current = next;
    },
    remove: () => {
      for (const [signal, listener] of listeners) proc.off(signal, listener);
    },
  };
}

/** Listens with fixed handlers; returns a function that removes them (for programs that run to an end). */
export function installSignalHandlers(handlers: SignalHandlers, proc: NodeJS.Process = process): () => void {
  const router = routeSignals(handlers, proc);
  return () => router.remove();
}

/**
 * Signals that arrive while a daemon starts, remembered until its cycle loop
 * runs: a reload and a skip once each, a stop for the start-up to honour at
 * its next step. A second stop is forced at once.
 */
export class PendingSignals implements SignalHandlers {
  #reload = false;
  #skipDelays = false;
  #stopSignal: NodeJS.Signals | null = null;

  constructor(private readonly forceStop: (signal: NodeJS.Signals) => void) {}

  readonly reload = (): void => {
    this.#reload = true;
  };

  readonly skipDelays = (): void => {
    this.#skipDelays = true;
  };

  readonly stop = (signal: NodeJS.Signals, forced: boolean): void => {
    if (forced) this.forceStop(signal);
    else this.#stopSignal ??= signal;
  };

  /** The stop signal that came, if one did. */
  get stopSignal(): NodeJS.Signals | null {
    return this.#stopSignal;
  }

  /** Hands what came to the loop's handlers, as if the signals came now. */
  replayTo(handlers: SignalHandlers): void {
    if (this.#reload) handlers.reload();
    if (this.#skipDelays) handlers.skipDelays();
    if (this.#stopSignal !== null) handlers.stop(this.#stopSignal, false);
  }
}

interface HeldSignals {
  readonly router: SignalRouter;
  readonly pending: PendingSignals;
  forceStop: (signal: NodeJS.Signals) => void;
}

/**
 * Kept on globalThis: bin/endit-<daemon> holds the signals with this module
 * from dist/, and the daemon it then loads is a bundle with its own copy of
 * the module (packaging/bundle.mjs); both must see one holder.
 */
const HELD_KEY = Symbol.for('endit.heldSignals');
const holder = globalThis as typeof globalThis & { [HELD_KEY]?: HeldSignals };

/**
 * Listens from now on, holding what comes in a PendingSignals. The daemons'
 * bin shims call it before they load the daemon (a tenth of a second bundled,
 * more unbundled, during which SIGUSR1 would open Node's inspector and SIGHUP would
 * end the process); runDaemon then takes the held signals over.
 */
export function holdSignals(): void {
  if (holder[HELD_KEY] !== undefined) return;
  // A second stop before runDaemon takes over: nothing to undo yet.
  const pending = new PendingSignals((signal) => holder[HELD_KEY]?.forceStop(signal));
  holder[HELD_KEY] = { router: routeSignals(pending), pending, forceStop: () => process.exit(0) };
}

/** The held signals (listening now if nothing held them yet); a second stop from here on calls `forceStop`. */
export function takeHeldSignals(forceStop: (signal: NodeJS.Signals) => void): { router: SignalRouter; pending: PendingSignals } {
  holdSignals();
  const current = holder[HELD_KEY] as HeldSignals;
  current.forceStop = forceStop;
  return { router: current.router, pending: current.pending };
}
