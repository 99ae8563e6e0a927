import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { errnoCode, errorMessage } from '../errors.js';

export interface ProgramArgs {
  readonly help: boolean;
  readonly version: boolean;
  /** `--config PATH` when given (else empty), in the form resolveConfigPath reads. */
  readonly rest: readonly string[];
}

export type ProgramArgsParse = { readonly ok: true; readonly args: ProgramArgs } | { readonly ok: false; readonly message: string };

/** Exit status of a command-line mistake (unknown option, missing value), as `endit` uses it. */
export const USAGE_EXIT_CODE = 2;

const HELP_AND_VERSION = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const WITH_CONFIG = { ...HELP_AND_VERSION, config: { type: 'string' } } as const;

/**
 * What went wrong in node:util parseArgs, in one short line naming the
 * argument (its own messages run to two sentences of advice). Pure.
 */
export function describeArgsError(error: unknown): string {
  const message = errorMessage(error);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  switch (errnoCode(error)) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? message}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option '${(quoted ?? message).replace(/ <value>$/, '')}' needs a value`;
    default:
      return message.split('. ')[0] ?? message;
  }
}

/**
 * The options every program takes: --help, --version and (unless
 * `withConfig` is false) --config PATH; anything else is a mistake. Pure.
 */
export function parseProgramArgs(argv: readonly string[], { withConfig = true }: { withConfig?: boolean } = {}): ProgramArgsParse {
  let values: { help?: boolean; version?: boolean; config?: string };
  try {
    values = parseArgs({ args: [...argv], options: withConfig ? WITH_CONFIG : HELP_AND_VERSION, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return { ok: false, message: describeArgsError(error) };
  }
  if (values.config === '') return { ok: false, message: "option '--config' needs a path" };
  const rest = values.config === undefined ? [] : ['--config', values.config];
  return { ok: true, args: { help: values.help === true, version: values.version === true, rest } };
}

/** The program's options, or one line on standard error naming the mistake and exit status 2. */
export function readProgramArgs(program: string, argv: readonly string[], options: { withConfig?: boolean } = {}): ProgramArgs {
  const parsed = parseProgramArgs(argv, options);
  if (parsed.ok) return parsed.args;
  process.stderr.write(`${program}: ${parsed.message} (${program} --help lists the options)\n`);
  process.exit(USAGE_EXIT_CODE);
}

let cachedVersion: string | undefined;

/** Where package.json is, from this module in src/ or dist/ (three levels up) or in a bundle in dist/bundle/ (two). */
const PACKAGE_JSON_CANDIDATES = ['../../../package.json', '../../package.json'];

/** The package version (from endit's package.json, whether running from src/, dist/ or a bundle). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'unknown';
  for (const candidate of PACKAGE_JSON_CANDIDATES) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name !== 'endit') continue;
      cachedVersion = pkg.version ?? 'unknown';
      break;
    } catch {
      continue;
    }
  }
  return cachedVersion;
}
