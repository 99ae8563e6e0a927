import type { ConfigSnapshot } from '../core/config/index.js';
import type { DeleterSettings } from './policy.js';
import { scheduleFor } from './schedule.js';

/** The deleter's settings, from the snapshot's values already in base units; the skew is drawn once at start-up. */
export function deleterSettings({ values, derived }: ConfigSnapshot, skewMs: number): DeleterSettings {
  return {
    schedule: scheduleFor(values.deleter_queueprocinterval),
    skewMs,
    sleepMs: derived.sleepMs,
    backoffMaxMs: derived.retryBackoffMaxMs,
    volumeQuietMs: derived.deleterVolumeQuietMs,
  };
}

/** The start-up skew: a whole number of seconds from 0 to 59. */
export function drawSkewMs(random: () => number = Math.random): number {
  return Math.min(59, Math.floor(random() * 60)) * 1000;
}
