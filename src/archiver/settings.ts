import type { ConfigSnapshot } from '../core/config/index.js';
import type { ArchiverSettings } from './policy.js';

/** The archiver's settings, from the snapshot's values already in base units. */
export function archiverSettings({ derived }: ConfigSnapshot): ArchiverSettings {
  return {
    thresholdsBytes: derived.archiverThresholdsBytes,
    timeoutMs: derived.archiverTimeoutMs,
    retryTimeoutMs: derived.archiverRetryTimeoutMs,
    sleepMs: derived.sleepMs,
    backoffMaxMs: derived.retryBackoffMaxMs,
  };
}
