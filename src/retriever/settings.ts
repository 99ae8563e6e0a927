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
  };
}
