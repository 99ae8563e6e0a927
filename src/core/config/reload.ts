import { KEY_TABLE } from './keys.js';
import { makeSnapshot, type ConfigSnapshot, type ConfigSource } from './snapshot.js';
import type { ConfigValues } from './schema.js';

export interface ReloadOutcome {
  readonly snapshot: ConfigSnapshot;
  readonly warnings: readonly string[];
}

function keptWarning(key: string, kept: string | undefined): string {
  return `Conf: ${key} cannot change at run time (restart needed): kept ${kept ?? '(unset)'}`;
}

/**
 * The reloaded main configuration: keys that cannot change at run time keep
 * their running value, with one warning per key that changed. Pure.
 */
export function applyReload(running: ConfigSnapshot, fresh: ConfigSnapshot): ReloadOutcome {
  const raw: Record<string, string> = { ...fresh.raw };
  const sources: Record<string, ConfigSource> = { ...fresh.sources };
  const values: Record<string, unknown> = { ...fresh.values };
  const warnings: string[] = [];
  for (const { name, reloadable } of KEY_TABLE) {
    if (reloadable || running.raw[name] === fresh.raw[name]) continue;
    warnings.push(keptWarning(name, running.raw[name]));
    values[name] = running.values[name as keyof ConfigValues];
    copyOrDelete(raw, name, running.raw[name]);
    copyOrDelete(sources, name, running.sources[name]);
  }
  const snapshot = makeSnapshot({ ...fresh, values: values as unknown as ConfigValues, raw, sources });
  return { snapshot, warnings };
}

function copyOrDelete<T>(target: Record<string, T>, key: string, value: T | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
