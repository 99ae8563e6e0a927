import { KEY_TABLE, type KeySpec } from './keys.js';

const HEADER = [
  '# ENDIT daemons sample configuration file.',
  '#',
  '# Comments start with # in the first column of a line.',
  '# Otherwise simple "key: value" pairs (a colon and white space separate them).',
  '# Keys marked "Overridable" may be changed at run time in the override file',
  '# (confoverridefile); a SIGHUP re-reads this file, except keys marked "Restart needed".',
];

function notesLines(spec: KeySpec): string[] {
  const notes = [
    spec.required ? 'Required.' : undefined,
    spec.overridable ? 'Overridable.' : undefined,
    spec.reloadable ? undefined : 'Restart needed to change.',
  ].filter((note) => note !== undefined);
  return [
    ...(spec.default === undefined ? [] : [`# (default ${spec.default})`]),
    ...(notes.length === 0 ? [] : [`# ${notes.join(' ')}`]),
  ];
}

function settingLine(spec: KeySpec): string {
  if (spec.example !== undefined) return `${spec.name}: ${spec.example}`;
  if (spec.default !== undefined) return `# ${spec.name}: ${spec.default}`;
  return `# ${spec.name}:`;
}

function keySection(spec: KeySpec): string[] {
  const description = spec.description.split('\n').map((line) => `# ${line}`);
  return ['', ...description, ...notesLines(spec), settingLine(spec)];
}

/**
 * A commented sample configuration with every key: its description,
 * `(default X)`, and either `key: example` or `# key: default`.
 */
export function sampleConfigText(): string {
  return [...HEADER, ...KEY_TABLE.flatMap(keySection), ''].join('\n');
}
