import fs from 'node:fs';
import {
  applyOverride,
  classifyKey,
  classifyLine,
  ConfigError,
  KEY_TABLE,
  readOverrideFile,
  type ConfigSnapshot,
  type ConfigValues,
} from '../core/config/index.js';
import { budgetLimitsOf, coordinationSettings } from '../core/coordination/index.js';
import { preflightProblems, type PreflightFinding } from '../core/runtime/preflight.js';
import { EXIT, type CliIo } from './cli-io.js';
import { readCliConfig } from './cli-config.js';
import { renderTable } from './format-table.js';
import { parseCommandArgs } from './parse-command-args.js';
import { formatDeleterNextRuns } from './next-runs.js';

export const CHECK_CONFIG_HELP = `Usage: endit check-config [--config PATH] [--strict]

Validates the main configuration file and the override file (confoverridefile)
with the same code the daemons use, and runs every check the daemons make at
start-up, without changing anything: the pool directory and its
subdirectories (it says which ones start-up would create), logdir,
currstatsdir, dsmc_executable and desc-short. Then it prints the effective
configuration: every key with its value and where it comes from (default,
file, override). Problems are printed one per line on standard error, naming
the file and the key.
  --strict   an unknown (e.g. misspelled) key is an error, not a warning
Exit codes: 0 valid, 1 invalid (main file, override file, or what start-up
would reject), 2 usage error.
`;

export type OverrideCheck =
  | { readonly kind: 'absent'; readonly file: string }
  | { readonly kind: 'applied'; readonly file: string; readonly keys: readonly string[] }
  | { readonly kind: 'rejected'; readonly file: string; readonly error: string };

/** Reads and applies the override file exactly as a daemon would. */
export async function checkOverride(main: ConfigSnapshot): Promise<{ check: OverrideCheck; effective: ConfigSnapshot }> {
  const file = main.values.confoverridefile;
  const read = await readOverrideFile(file);
  if (read.kind === 'absent') return { check: { kind: 'absent', file }, effective: main };
  if (read.kind === 'unreadable') return { check: { kind: 'rejected', file, error: read.error }, effective: main };
  const outcome = applyOverride(main, read.data, file, read.mtimeMs);
  if (!outcome.ok) return { check: { kind: 'rejected', file, error: outcome.error }, effective: main };
  return { check: { kind: 'applied', file, keys: Object.keys(read.data).sort() }, effective: outcome.snapshot };
}

function overrideLine(check: OverrideCheck): string {
  switch (check.kind) {
    case 'absent':
      return `Override file ${check.file}: absent (main configuration in force)`;
    case 'applied':
      return `Override file ${check.file}: valid, overrides ${check.keys.join(', ') || 'nothing'}`;
    case 'rejected':
      return `Override file ${check.file}: rejected (the daemons keep the main configuration)`;
  }
}

/** Every key of the table with its effective value and source; unset keys show `(unset)`. Pure. */
export function formatEffectiveConfig(snapshot: ConfigSnapshot): string[] {
  const rows = KEY_TABLE.map((spec) => {
    const value = snapshot.raw[spec.name];
    return [spec.name, value ?? '(unset)', value === undefined ? 'default' : (snapshot.sources[spec.name] ?? 'default')];
  });
  return renderTable([{ header: 'KEY' }, { header: 'VALUE' }, { header: 'SOURCE' }], rows);
}

interface UnknownKey {
  readonly line: number;
  readonly key: string;
}

/** Keys of the main file that are neither known, deprecated nor obsolete (e.g. misspelled). Pure. */
function planUnknownKeys(text: string): UnknownKey[] {
  return text.split('\n').flatMap((rawLine, index) => {
    const line = classifyLine(rawLine.replace(/\r$/, ''));
    if (line.kind !== 'pair' || classifyKey(line.key).kind !== 'unknown') return [];
    return [{ line: index + 1, key: line.key }];
  });
}

interface CheckConfigFindings {
  readonly file: string;
  /** Warnings of the parser (deprecated, obsolete, unknown keys, keys set twice). */
  readonly parseWarnings: readonly string[];
  readonly override: OverrideCheck;
  readonly preflight: readonly PreflightFinding[];
  /** Unknown keys, which --strict makes problems (empty without --strict). */
  readonly unknownKeys: readonly UnknownKey[];
}

interface CheckConfigVerdict {
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** Directories start-up would create. */
  readonly creates: readonly string[];
}

/** Sorts the findings into problems (exit 1), warnings and what start-up would create. Pure. */
function decideCheckConfig(findings: CheckConfigFindings): CheckConfigVerdict {
  const { file, preflight } = findings;
  // The parser already warned about each unknown key: with --strict that warning becomes the problem.
  const strictPrefixes = findings.unknownKeys.map((u) => `${file}: line ${u.line}: unknown key`);
  const warnings = findings.parseWarnings.filter((w) => !strictPrefixes.some((prefix) => w.startsWith(prefix)));
  return {
    problems: [
      ...findings.unknownKeys.map((u) => `${file}: line ${u.line}: unknown key '${u.key}' (an error with --strict)`),
      ...preflight.filter((f) => f.severity === 'error').map((f) => `${file}: ${f.message}`),
      ...(findings.override.kind === 'rejected' ? [findings.override.error] : []),
    ],
    warnings: [...warnings, ...preflight.filter((f) => f.severity === 'warning').map((f) => `${file}: ${f.message}`)],
    creates: preflight.filter((f) => f.severity === 'create').map((f) => f.path),
  };
}

function verdictLine(file: string, verdict: CheckConfigVerdict): string {
  const count = verdict.problems.length;
  return count === 0 ? `Configuration file ${file}: valid` : `Configuration file ${file}: INVALID (${count} problem${count === 1 ? '' : 's'}, on standard error)`;
}

/** The coordination group the daemons would join (issue 12); nothing without coordination_zookeeper. Pure. */
function formatCoordination(values: ConfigValues): string[] {
  const settings = coordinationSettings(values);
  const limits = budgetLimitsOf(values);
  if (settings === null || limits === null) return [];
  return [`Coordination: group ${settings.group} (from ${settings.groupFrom}) in ZooKeeper ${settings.connectString}: at most ${limits.maxSessions} sessions in the group, ${limits.archiveReserve} reserved for archives`];
}

/** What check-config prints on standard output. Pure. */
function formatCheckConfig(findings: CheckConfigFindings, verdict: CheckConfigVerdict, effective: ConfigSnapshot, nowMs: number): string {
  const lines = [
    verdictLine(findings.file, verdict),
    overrideLine(findings.override),
    ...(verdict.creates.length === 0 ? [] : [`Start-up would create: ${verdict.creates.join(', ')}`]),
    ...formatDeleterNextRuns(effective.values, nowMs),
    ...formatCoordination(effective.values),
    '',
    ...formatEffectiveConfig(effective),
  ];
  return `${lines.join('\n')}\n`;
}

async function checkConfig(configOption: string | undefined, strict: boolean, io: CliIo): Promise<number> {
  const { file, snapshot, warnings } = readCliConfig(configOption, io);
  const { check, effective } = await checkOverride(snapshot);
  const findings: CheckConfigFindings = {
    file,
    parseWarnings: warnings,
    override: check,
    preflight: preflightProblems(snapshot.values, { searchPath: io.env['PATH'] }),
    unknownKeys: strict ? planUnknownKeys(fs.readFileSync(file, 'utf8')) : [],
  };
  const verdict = decideCheckConfig(findings);
  io.out(formatCheckConfig(findings, verdict, effective, Date.now()));
  for (const warning of verdict.warnings) io.err(`warning: ${warning}\n`);
  for (const problem of verdict.problems) io.err(`${problem}\n`);
  return verdict.problems.length === 0 ? EXIT.ok : EXIT.problem;
}

/** `endit check-config`: exit 0 valid, 1 invalid. */
export async function runCheckConfig(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs(argv, { config: { type: 'string' }, strict: { type: 'boolean' } });
  try {
    return await checkConfig(values.config, values.strict === true, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) io.err(`${problem}\n`);
    return EXIT.problem;
  }
}
