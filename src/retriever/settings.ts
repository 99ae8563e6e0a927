import type { ConfigSnapshot } from '../core/config/index.js';

/** The retriever's configuration in base units, derived once per configuration snapshot. */
export interface RetrieverSettings {
  readonly maxWorkers: number;
  readonly remountDelayMs: number;
  readonly fillWaitMs: number;
  readonly fillWaitMaxMs: number;
  readonly bufferBytes: number;
  readonly backlogPercent: number;
  readonly killPercent: number;
  readonly sleepMs: number;
  readonly backoffMaxMs: number;
  /** What a mount cycle costs in drive time, as bytes read: a list under it waits for company and it weighs in the volume score (volume-priority.ts). */
  readonly mountCostBytes: number;
  /** How long TSM keeps an idle volume mounted; 0 = never count on it (no follow-on). */
  readonly mountRetentionMs: number;
  /** Caps on one list; 0 = no cap. */
  readonly maxSessionBytes: number;
  readonly maxSessionFiles: number;
  /**
   * How ready volumes are ranked: 'work-per-mount' (volume-priority.ts) in
   * the daemon; 'oldest-first' is the rule before issue 11, kept only as
   * the simulator's "today" baseline.
   */
  readonly volumeOrder: 'work-per-mount' | 'oldest-first';
}

/** The retriever's settings, from the snapshot's values already in base units. */
export function retrieverSettings({ values, derived }: ConfigSnapshot): RetrieverSettings {
  return {
    maxWorkers: values.retriever_maxworkers,
    remountDelayMs: derived.retrieverRemountDelayMs,
    fillWaitMs: derived.retrieverFillWaitMs,
    fillWaitMaxMs: derived.retrieverFillWaitMaxMs,
    bufferBytes: derived.retrieverBufferBytes,
    backlogPercent: values.retriever_backlogthreshold,
    killPercent: values.retriever_killthreshold,
    sleepMs: derived.sleepMs,
    backoffMaxMs: derived.retryBackoffMaxMs,
    mountCostBytes: derived.retrieverMountCostBytes,
    mountRetentionMs: derived.retrieverMountRetentionMs,
    maxSessionBytes: derived.retrieverMaxSessionBytes,
    maxSessionFiles: values.retriever_maxsessionfiles,
    volumeOrder: 'work-per-mount',
  };
}
