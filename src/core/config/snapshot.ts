import { deriveBaseUnits, type DerivedValues } from './derived.js';
import type { ConfigValues } from './schema.js';

export type ConfigSource = 'default' | 'file' | 'override';

/** One immutable configuration; never mutated, a new one is built and swapped in. */
export interface ConfigSnapshot {
  readonly values: ConfigValues;
  /** The values with a unit in base units (ms, bytes), derived once from `values` when the snapshot is made. */
  readonly derived: DerivedValues;
  /** The effective values as strings, by key (unset keys absent): what `Conf:` lines print. */
  readonly raw: Readonly<Record<string, string>>;
  readonly sources: Readonly<Record<string, ConfigSource>>;
  /** The main file. */
  readonly file: string;
  /** Modification time of the override file applied, null when none is. */
  readonly overrideMtimeMs: number | null;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The one place a snapshot is made: `derived` is computed here from `values`. */
export function makeSnapshot(parts: Omit<ConfigSnapshot, 'derived'>): ConfigSnapshot {
  return deepFreeze({
    values: { ...parts.values },
    derived: deriveBaseUnits(parts.values),
    raw: { ...parts.raw },
    sources: { ...parts.sources },
    file: parts.file,
    overrideMtimeMs: parts.overrideMtimeMs,
  });
}
