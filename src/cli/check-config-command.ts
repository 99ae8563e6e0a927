import fs from 'node:fs';
import {
  applyOverride,
  ConfigError,
  KEY_TABLE,
  readOverrideFile,
  type ConfigSnapshot,
} from '../core/config/index.js';
import { EXIT, type CliIo } from './cli-io.js';
import { readCliConfig } from './cli-config.js';
import { renderTable } from './format-table.js';
import { parseCommandArgs } from './parse-command-args.js';
import { errorMessage, errnoCode } from '../core/errors.js';
import { formatDeleterNextRuns } from './next-runs.js';

export const CHECK_CONFIG_HELP = `Usage: endit check-config [--config PATH]

Validates the main configuration file and the override file (confoverridefile)
with the same code the daemons use, then prints the effective configuration:
every key with its value and where it comes from (default, file, override).
Problems are printed one per line, naming the file and the key.
Exit codes: 0 valid, 1 invalid (main file, override file or pool directory), 2 usage error.
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

/** Problems the daemons would refuse to start with, beyond the file itself. */
function poolDirProblem(snapshot: ConfigSnapshot): string | undefined {
  const dir = snapshot.values.dir;
  try {
    if (fs.statSync(dir).isDirectory()) return undefined;
    return `${snapshot.file}: dir: '${dir}' is not a directory`;
  } catch (error) {
    return `${snapshot.file}: dir: '${dir}' cannot be used (${errnoCode(error) ?? errorMessage(error)})`;
  }
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

async function checkConfig(configOption: string | undefined, io: CliIo): Promise<number> {
  const { file, snapshot, warnings } = readCliConfig(configOption, io);
  for (const warning of warnings) io.err(`warning: ${warning}\n`);
  const { check, effective } = await checkOverride(snapshot);
  const problems = [poolDirProblem(snapshot), check.kind === 'rejected' ? check.error : undefined].filter((p) => p !== undefined);
  if (!fs.existsSync(snapshot.values.currstatsdir)) io.err(`warning: ${file}: currstatsdir: '${snapshot.values.currstatsdir}' does not exist (no stats files until it does)\n`);
  io.out(`${[`Configuration file ${file}: valid`, overrideLine(check), ...formatDeleterNextRuns(effective.values, Date.now()), '', ...formatEffectiveConfig(effective)].join('\n')}\n`);
  for (const problem of problems) io.err(`${problem}\n`);
  return problems.length === 0 ? EXIT.ok : EXIT.problem;
}

/** `endit check-config`: exit 0 valid, 1 invalid. */
export async function runCheckConfig(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs(argv, { config: { type: 'string' } });
  try {
    return await checkConfig(values.config, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) io.err(`${problem}\n`);
    return EXIT.problem;
  }
}
