import type { ConfigValues } from '../core/config/index.js';
import { GIB } from '../core/units.js';

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

export function retrieverSettings(values: ConfigValues): RetrieverSettings {
  return {
    maxWorkers: values.retriever_maxworkers,
    remountDelayMs: values.retriever_remountdelay * 1000,
    fillWaitMs: values.retriever_reqlistfillwait * 1000,
    fillWaitMaxMs: values.retriever_reqlistfillwaitmax * 1000,
    bufferBytes: values.retriever_buffersize * GIB,
    backlogPercent: values.retriever_backlogthreshold,
    killPercent: values.retriever_killthreshold,
    sleepMs: values.sleeptime * 1000,
    backoffMaxMs: values.retry_backoff_max * 1000,
  };
}
