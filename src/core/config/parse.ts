import { DEPRECATED_KEYS, OBSOLETE_KEYS, isConfigKey, type ConfigKey } from './keys.js';

/** Key → value as written in the file (deprecated names mapped, later lines win). */
export type ConfigEntries = Readonly<Partial<Record<ConfigKey, string>>>;

export type ParseOutcome =
  | { readonly ok: true; readonly entries: ConfigEntries; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string; readonly warnings: readonly string[] };

type LineClass = { kind: 'skip' } | { kind: 'garbage' } | { kind: 'pair'; key: string; value: string };

type KeyClass =
  | { kind: 'known'; name: ConfigKey }
  | { kind: 'deprecated'; name: ConfigKey }
  | { kind: 'obsolete' }
  | { kind: 'unknown' };

/** Perl semantics: `#` in the first column is a comment; split at the first colon followed by white space. */
export function classifyLine(line: string): LineClass {
  if (line.startsWith('#') || line.trim() === '') return { kind: 'skip' };
  const separator = /:\s+/.exec(line);
  if (separator === null) return { kind: 'garbage' };
  const key = line.slice(0, separator.index);
  const value = line.slice(separator.index + separator[0].length).trimEnd();
  if (key === '' || value === '' || key.trim() !== key) return { kind: 'garbage' };
  return { kind: 'pair', key, value };
}

export function classifyKey(key: string): KeyClass {
  if (isConfigKey(key)) return { kind: 'known', name: key };
  if (Object.hasOwn(DEPRECATED_KEYS, key)) return { kind: 'deprecated', name: DEPRECATED_KEYS[key] as ConfigKey };
  if (OBSOLETE_KEYS.has(key)) return { kind: 'obsolete' };
  return { kind: 'unknown' };
}

function keyWarning(where: string, key: string, keyClass: KeyClass): string | undefined {
  switch (keyClass.kind) {
    case 'known':
      return undefined;
    case 'deprecated':
      return `${where}: key '${key}' is deprecated, use '${keyClass.name}' instead`;
    case 'obsolete':
      return `${where}: obsolete key '${key}', skipped`;
    case 'unknown':
      return `${where}: unknown key '${key}', skipped`;
  }
}

function garbageError(where: string, line: string): string {
  return `${where}: cannot parse '${line}': expected 'key: value' with no white space around the key`;
}

/** Parse the text of the main file. Pure; `file` only names the file in messages. */
export function parseConfigText(text: string, file: string): ParseOutcome {
  const entries: Partial<Record<ConfigKey, string>> = {};
  const seenAt = new Map<ConfigKey, number>();
  const warnings: string[] = [];
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\r$/, '');
    const where = `${file}: line ${index + 1}`;
    const lineClass = classifyLine(line);
    if (lineClass.kind === 'skip') continue;
    if (lineClass.kind === 'garbage') return { ok: false, error: garbageError(where, line), warnings };
    const keyClass = classifyKey(lineClass.key);
    const warning = keyWarning(where, lineClass.key, keyClass);
    if (warning !== undefined) warnings.push(warning);
    if (keyClass.kind !== 'known' && keyClass.kind !== 'deprecated') continue;
    const previous = seenAt.get(keyClass.name);
    if (previous !== undefined) warnings.push(`${where}: ${keyClass.name} set again, replacing line ${previous}`);
    seenAt.set(keyClass.name, index + 1);
    entries[keyClass.name] = lineClass.value;
  }
  return { ok: true, entries, warnings };
}
