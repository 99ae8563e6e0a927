import { scopeOfKey } from './keys.js';
import type { ConfigSnapshot } from './snapshot.js';

export type DiffScope = 'archiver' | 'retriever' | 'deleter' | 'tapehints' | 'cli';

function inScope(key: string, scope: DiffScope): boolean {
  const keyScope = scopeOfKey(key);
  return keyScope === 'common' || keyScope === scope;
}

function diffLine(key: string, before: string | undefined, after: string | undefined): string | undefined {
  if (before === after) return undefined;
  if (before === undefined) return `Conf: Added: ${key} ${after}`;
  if (after === undefined) return `Conf: Removed: ${key} ${before}`;
  return `Conf: Changed: ${key} ${before} -> ${after}`;
}

/** `Conf: Changed/Added/Removed` lines for the common keys and those of `scope`, sorted by key. Pure. */
export function diffConfig(old: ConfigSnapshot, next: ConfigSnapshot, scope: DiffScope): string[] {
  const keys = [...new Set([...Object.keys(old.raw), ...Object.keys(next.raw)])].sort();
  return keys
    .filter((key) => inScope(key, scope))
    .map((key) => diffLine(key, old.raw[key], next.raw[key]))
    .filter((line) => line !== undefined);
}

/** Whether two snapshots hold different effective values (any scope). */
export function rawDiffers(a: ConfigSnapshot, b: ConfigSnapshot): boolean {
  return !sameRecord(a.raw, b.raw);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Whether two snapshots are the same configuration from the same sources. */
export function sameSnapshot(a: ConfigSnapshot, b: ConfigSnapshot): boolean {
  return a.file === b.file && a.overrideMtimeMs === b.overrideMtimeMs && sameRecord(a.raw, b.raw) && sameRecord(a.sources, b.sources);
}
