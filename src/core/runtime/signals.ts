export interface SignalHandlers {
  /** SIGHUP. */
  readonly reload: () => void;
  /** SIGUSR1. */
  readonly skipDelays: () => void;
  /** SIGTERM, SIGINT, SIGQUIT; the second one forces the stop. */
  readonly stop: (signal: NodeJS.Signals, forced: boolean) => void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

/**
 * The one place that listens to process signals; turns them into events.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(handlers: SignalHandlers, proc: NodeJS.Process = process): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    handlers.stop(signal, stopping);
    stopping = true;
  };
  const listeners: Array<[NodeJS.Signals, (signal: NodeJS.Signals) => void]> = [
    ['SIGHUP', () => handlers.reload()],
    ['SIGUSR1', () => handlers.skipDelays()],
    ...STOP_SIGNALS.map((s): [NodeJS.Signals, (signal: NodeJS.Signals) => void] => [s, onStop]),
  ];
  for (const [signal, listener] of listeners) proc.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) proc.off(signal, listener);
  };
}
