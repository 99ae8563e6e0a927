import { KEY_TABLE } from './keys.js';
import { parseConfigText, type ConfigEntries } from './parse.js';
import { validateConfig } from './schema.js';
import { makeSnapshot, type ConfigSnapshot, type ConfigSource } from './snapshot.js';

export type MainConfigOutcome =
  | { readonly ok: true; readonly snapshot: ConfigSnapshot; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };

/** Defaults overlaid with the file's entries, and where each value came from. */
export function planEffectiveRaw(entries: ConfigEntries): {
  raw: Record<string, string>;
  sources: Record<string, ConfigSource>;
} {
  const raw: Record<string, string> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const spec of KEY_TABLE) {
    const fromFile = entries[spec.name as keyof ConfigEntries];
    const value = fromFile ?? spec.default;
    if (value === undefined) continue;
    raw[spec.name] = value;
    sources[spec.name] = fromFile === undefined ? 'default' : 'file';
  }
  return { raw, sources };
}

/** Parse and validate the text of the main file into a snapshot. Pure. */
export function parseMainConfig(text: string, file: string): MainConfigOutcome {
  const parsed = parseConfigText(text, file);
  if (!parsed.ok) return { ok: false, problems: [parsed.error], warnings: parsed.warnings };
  const { raw, sources } = planEffectiveRaw(parsed.entries);
  const validated = validateConfig(raw, file);
  if (!validated.ok) return { ok: false, problems: validated.problems, warnings: parsed.warnings };
  const snapshot = makeSnapshot({ values: validated.values, raw, sources, file, overrideMtimeMs: null });
  return { ok: true, snapshot, warnings: parsed.warnings };
}
