import type { ArchiverSettings } from '../../src/archiver/policy.js';
import { GIB } from '../../src/core/units.js';

/** The archiver's settings in the policy tests: thresholds at 10, 20 and 30 GiB, Perl's timeouts, a one-minute sleep. */
export const ARCHIVER_TEST_SETTINGS: ArchiverSettings = {
  thresholdsBytes: [10 * GIB, 20 * GIB, 30 * GIB, undefined, undefined, undefined, undefined, undefined, undefined],
  timeoutMs: 3_600_000,
  retryTimeoutMs: 600_000,
  sleepMs: 60_000,
  backoffMaxMs: 3_600_000,
};
