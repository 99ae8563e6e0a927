import { GIB } from '../units.js';
import { THRESHOLD_KEYS } from './keys.js';
import type { ConfigValues } from './schema.js';

const SECOND_MS = 1000;

/**
 * The keys that carry a unit (seconds, GiB), converted once to base units
 * (milliseconds, bytes) when a snapshot is made; everything that needs them
 * reads these instead of multiplying again.
 */
export interface DerivedValues {
  readonly sleepMs: number;
  /** 0 = no stall watchdog. */
  readonly dsmcStallTimeoutMs: number;
  readonly retryBackoffMaxMs: number;
  readonly archiverTimeoutMs: number;
  readonly archiverRetryTimeoutMs: number;
  /** Index k−1 holds threshold k in bytes; undefined where unset. */
  readonly archiverThresholdsBytes: readonly (number | undefined)[];
  readonly retrieverRemountDelayMs: number;
  readonly retrieverFillWaitMs: number;
  readonly retrieverFillWaitMaxMs: number;
  readonly retrieverBufferBytes: number;
  /** 0 = no follow-on estimate. */
  readonly retrieverMountRetentionMs: number;
  /** 0 = no cap. */
  readonly retrieverMaxSessionBytes: number;
  /** 0 = volume-aware deletion off. */
  readonly deleterVolumeQuietMs: number;
}

/** Base-unit values of a validated configuration. Pure. */
export function deriveBaseUnits(values: ConfigValues): DerivedValues {
  return {
    sleepMs: values.sleeptime * SECOND_MS,
    dsmcStallTimeoutMs: values.dsmc_stalltimeout * SECOND_MS,
    retryBackoffMaxMs: values.retry_backoff_max * SECOND_MS,
    archiverTimeoutMs: values.archiver_timeout * SECOND_MS,
    archiverRetryTimeoutMs: values.archiver_retrytimeout * SECOND_MS,
    archiverThresholdsBytes: THRESHOLD_KEYS.map((key) => {
      const gib = values[key];
      return gib === undefined ? undefined : gib * GIB;
    }),
    retrieverRemountDelayMs: values.retriever_remountdelay * SECOND_MS,
    retrieverFillWaitMs: values.retriever_reqlistfillwait * SECOND_MS,
    retrieverFillWaitMaxMs: values.retriever_reqlistfillwaitmax * SECOND_MS,
    retrieverBufferBytes: values.retriever_buffersize * GIB,
    retrieverMountRetentionMs: values.retriever_mountretention * SECOND_MS,
    retrieverMaxSessionBytes: values.retriever_maxsessionbytes * GIB,
    deleterVolumeQuietMs: values.deleter_volumequiet * SECOND_MS,
  };
}
