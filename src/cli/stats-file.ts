import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, isErrno } from '../core/errors.js';

export type StatsRead =
  | { readonly kind: 'ok'; readonly figures: Readonly<Record<string, number>> }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly error: string };

/** `<currstatsdir>/<desc-short>-<daemon>-stats.json` (SPEC 9). */
export function statsFilePath(statsDir: string, descShort: string, daemon: string): string {
  return path.join(statsDir, `${descShort}-${daemon}-stats.json`);
}

/** The flat JSON record; values that are not numbers (older writers) are converted or dropped. Pure. */
export function parseStatsText(text: string): StatsRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', error: `not valid JSON: ${errorMessage(error)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { kind: 'invalid', error: 'not a JSON object' };
  const figures: Record<string, number> = {};
  for (const [name, value] of Object.entries(data)) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number === 'number' && Number.isFinite(number)) figures[name] = number;
  }
  return { kind: 'ok', figures };
}

export function readStatsFile(file: string): StatsRead {
  try {
    return parseStatsText(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'missing' };
    return { kind: 'invalid', error: errorMessage(error) };
  }
}
