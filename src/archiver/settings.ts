import { THRESHOLD_KEYS, type ConfigValues } from '../core/config/index.js';
import { GIB } from '../core/units.js';
import type { ArchiverSettings } from './policy.js';

/** Converts the archiver's keys to base units, once per configuration snapshot. */
export function archiverSettings(values: ConfigValues): ArchiverSettings {
  return {
    thresholdsBytes: THRESHOLD_KEYS.map((key) => {
      const gib = values[key];
      return gib === undefined ? undefined : gib * GIB;
    }),
    timeoutMs: values.archiver_timeout * 1000,
    retryTimeoutMs: values.archiver_retrytimeout * 1000,
    sleepMs: values.sleeptime * 1000,
    backoffMaxMs: values.retry_backoff_max * 1000,
  };
}
