import type { ConfigManager } from '../config/index.js';
import { LOCAL_COORDINATOR, type Coordinator } from '../coordination/index.js';
import type { Logger, SessionHistory } from '../log/index.js';
import type { PoolLayout } from '../pool/index.js';
import type { FigureSpec, FigureValue } from '../stats/index.js';
import type { SessionRegistry } from './session-registry.js';

export type DaemonName = 'archiver' | 'retriever' | 'deleter';

/** What every daemon is given by the shared shell. */
export interface DaemonContext {
  readonly config: ConfigManager;
  readonly logger: Logger;
  readonly pool: PoolLayout;
  readonly sessions: SessionRegistry;
  /** One record per dsmc session, written by the daemon when the session ended. */
  readonly history: SessionHistory;
  /** Cut the current sleep short (a session ended, an event arrived). */
  readonly wake: () => void;
  readonly nowMs: () => number;
  readonly startedMs: number;
  /**
   * Aborted at the first stop signal: work that takes seconds at a million
   * entries (a listing) ends at its next slice, so that the stop, which waits
   * for the cycle under way, comes within moments (issue 15 item 4).
   */
  readonly stopping: AbortSignal;
  /** Whether a SIGUSR1 waits for the next cycle: background work in a cycle gives way to it. */
  readonly skipPending: () => boolean;
  /** Who else may start sessions on this TSM node (issue 12); absent: nobody, the local limits alone (LocalCoordinator). */
  readonly coordinator?: Coordinator;
}

/** The daemon's coordinator; the local one (always yes) when none was given. */
export function coordinatorOf(ctx: Pick<DaemonContext, 'coordinator'>): Coordinator {
  return ctx.coordinator ?? LOCAL_COORDINATOR;
}

export interface DaemonBehaviour {
  /** One cycle: look, decide, act. Returns milliseconds until the next cycle. */
  cycle(input: { readonly skipDelays: boolean }): Promise<number>;
  /** The figures of SPEC 9: numbers, or histogram snapshots (without time/starttime/info/errors: the shell adds those). */
  figures(): Record<string, FigureValue>;
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
