import type { ConfigValues } from '../core/config/index.js';
import type { DeleterSettings } from './policy.js';
import { scheduleFor } from './schedule.js';

/** Converts the deleter's keys to base units, once per configuration snapshot; the skew is drawn once at start-up. */
export function deleterSettings(values: ConfigValues, skewMs: number): DeleterSettings {
  return {
    schedule: scheduleFor(values.deleter_queueprocinterval),
    skewMs,
    sleepMs: values.sleeptime * 1000,
    backoffMaxMs: values.retry_backoff_max * 1000,
    volumeQuietMs: values.deleter_volumequiet * 1000,
  };
}

/** The start-up skew: a whole number of seconds from 0 to 59. */
export function drawSkewMs(random: () => number = Math.random): number {
  return Math.min(59, Math.floor(random() * 60)) * 1000;
}
