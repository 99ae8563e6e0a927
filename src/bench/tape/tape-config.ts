/**
 * The real retriever's configuration in compressed time: each time key is
 * the simulated setting times the time scale, in whole seconds as the key
 * table requires (at least 1 s where 0 would mean something else). What a
 * rounded key does in simulated time is the effective setting, and the
 * simulator rows are played with it too, so that both sides run the same
 * configuration. Pure.
 */
import { GIB } from '../../core/units.js';
import { keySpec } from '../../core/config/keys.js';
import type { RetrieverSettings } from '../../retriever/settings.js';

type MsField = 'sleepMs' | 'backoffMaxMs' | 'remountDelayMs' | 'fillWaitMs' | 'fillWaitMaxMs' | 'mountRetentionMs';

/** The retriever's time keys and the settings they become. */
const TIME_KEYS: ReadonlyArray<readonly [string, MsField]> = [
  ['sleeptime', 'sleepMs'],
  ['retry_backoff_max', 'backoffMaxMs'],
  ['retriever_remountdelay', 'remountDelayMs'],
  ['retriever_reqlistfillwait', 'fillWaitMs'],
  ['retriever_reqlistfillwaitmax', 'fillWaitMaxMs'],
  ['retriever_mountretention', 'mountRetentionMs'],
];

/** Time keys the simulator does not model, scaled from their defaults when the key table has them. */
const UNMODELLED_TIME_KEYS: readonly string[] = ['dsmc_stalltimeout'];

export interface ScaledConfig {
  /** Config keys and their values for the real retriever. */
  readonly values: Readonly<Record<string, number>>;
  /** What the real retriever does, in simulated time. */
  readonly effective: RetrieverSettings;
  /** The keys rounded away from their simulated setting: `sleeptime 60 s → 100 s`. */
  readonly deviations: readonly string[];
}

/** Whole real units for `simulated × scale`; a positive setting stays at least 1 (0 switches some keys off). */
export function planScaledUnits(simulated: number, scale: number): number {
  if (simulated <= 0) return 0;
  return Math.max(1, Math.round(simulated * scale));
}

function deviation(key: string, wanted: number, effective: number, unit: string): string[] {
  return Math.abs(effective - wanted) < 1e-6 * Math.max(1, wanted) ? [] : [`${key} ${wanted} ${unit} → ${Number(effective.toPrecision(6))} ${unit}`];
}

/** `settings` (simulated time, full-size bytes) as config values at `timeScale` and `byteScale`. */
export function planScaledConfig(settings: RetrieverSettings, timeScale: number, byteScale: number): ScaledConfig {
  const values: Record<string, number> = { retriever_maxworkers: settings.maxWorkers, retriever_maxsessionfiles: settings.maxSessionFiles };
  let effective: RetrieverSettings = settings;
  const deviations: string[] = [];
  for (const [key, field] of TIME_KEYS) {
    const realSec = planScaledUnits(settings[field] / 1000, timeScale);
    values[key] = realSec;
    effective = { ...effective, [field]: (realSec / timeScale) * 1000 };
    deviations.push(...deviation(key, settings[field] / 1000, realSec / timeScale, 's'));
  }
  for (const key of UNMODELLED_TIME_KEYS) {
    const defaultSec = Number(keySpec(key)?.default);
    if (Number.isFinite(defaultSec)) values[key] = planScaledUnits(defaultSec, timeScale);
  }
  const sessionGiB = planScaledUnits(settings.maxSessionBytes / GIB, byteScale);
  values['retriever_maxsessionbytes'] = sessionGiB;
  effective = { ...effective, maxSessionBytes: (sessionGiB * GIB) / byteScale };
  deviations.push(...deviation('retriever_maxsessionbytes', settings.maxSessionBytes / GIB, sessionGiB / byteScale, 'GiB'));
  return { values, effective, deviations };
}
