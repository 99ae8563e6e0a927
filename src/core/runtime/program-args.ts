import fs from 'node:fs';

export interface ProgramArgs {
  readonly help: boolean;
  readonly version: boolean;
  /** Arguments other than --help/--version (e.g. --config PATH), for the config resolver and subcommands. */
  readonly rest: readonly string[];
}

export function parseProgramArgs(argv: readonly string[]): ProgramArgs {
  const rest: string[] = [];
  let help = false;
  let version = false;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-V') version = true;
    else rest.push(arg);
  }
  return { help, version, rest };
}

let cachedVersion: string | undefined;

/** The package version (from package.json, whether running from dist/ or src/). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}
