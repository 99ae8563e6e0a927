// Checks of single scenario fields, shared by the scenario and its library part: each
// throws a ScenarioError naming the field, so a test author sees exactly what is wrong.

export class ScenarioError extends Error {}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkKeys(object: Json, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) throw new ScenarioError(`${where}: unknown key "${key}"`);
  }
}

export function nonNegativeInt(object: Json, key: string, where: string): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ScenarioError(`${where}.${key}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A finite number, at least 0 (or above 0 when `positive`). */
export function finiteNumber(object: Json, key: string, where: string, positive = false): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ScenarioError(`${where}.${key}: expected a ${positive ? 'positive' : 'non-negative'} number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(object: Json, key: string, allowed: readonly T[], where: string): T | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new ScenarioError(`${where}.${key}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return match;
}

export function stringValue(object: Json, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ScenarioError(`${where}.${key}: expected a string`);
  return value;
}
