import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, ConfigMissingError } from './errors.js';
import { parseMainConfig } from './main-config.js';
import { sampleConfigText } from './sample.js';
import type { ConfigSnapshot } from './snapshot.js';
import { readRegularFileSync } from '../regular-file.js';
import { errorMessage, isErrno } from '../errors.js';

export const DEFAULT_CONFIG_PATH = '/etc/endit/endit.conf';

export interface MainConfigLoad {
  readonly snapshot: ConfigSnapshot;
  readonly warnings: readonly string[];
}

/** `--config PATH` or `--config=PATH`, else `$ENDIT_CONFIG`, else /etc/endit/endit.conf. */
export function resolveConfigPath(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  for (const [index, arg] of argv.entries()) {
    if (arg.startsWith('--config=')) return nonEmptyPath(arg.slice('--config='.length));
    if (arg === '--config') return nonEmptyPath(argv[index + 1]);
  }
  const fromEnv = env['ENDIT_CONFIG'];
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_CONFIG_PATH : fromEnv;
}

function nonEmptyPath(value: string | undefined): string {
  if (value === undefined || value === '') throw new ConfigError('--config: expected a path to the configuration file');
  return value;
}

/** A FIFO or a device at the path is refused, never read: it would block the daemon or never end. */
function readConfigText(file: string): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    return { ok: true, text: readRegularFileSync(file) };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}

function parseOrThrow(text: string, file: string): MainConfigLoad {
  const outcome = parseMainConfig(text, file);
  if (!outcome.ok) throw new ConfigError(outcome.problems);
  return { snapshot: outcome.snapshot, warnings: outcome.warnings };
}

function cannotRead(file: string, reason: string): string {
  return `${file}: cannot read the configuration file (${reason})`;
}

/** Read, parse and validate the main file (as on SIGHUP); throws ConfigError, writes no sample. */
export function readMainConfig(file: string): MainConfigLoad {
  const read = readConfigText(file);
  if (!read.ok) throw new ConfigError(cannotRead(file, read.reason));
  return parseOrThrow(read.text, file);
}

/** Write the sample configuration to a new file in the temporary directory; returns its path. */
export function writeSampleConfig(dir: string = os.tmpdir()): string {
  for (let attempt = 0; ; attempt++) {
    const suffix = randomBytes(6).toString('base64url').slice(0, 6);
    const file = path.join(dir, `endit.conf.sample.${suffix}`);
    try {
      // Mode 0666 filtered by the umask, as the user chose.
      fs.writeFileSync(file, sampleConfigText(), { flag: 'wx', mode: 0o666 });
      return file;
    } catch (error) {
      if (!isErrno(error, 'EEXIST') || attempt >= 10) throw error;
    }
  }
}

function missingConfigError(file: string, reason: string, sampleDir: string | undefined): ConfigError {
  try {
    const samplePath = writeSampleConfig(sampleDir);
    return new ConfigMissingError(`${cannotRead(file, reason)}; a sample configuration was written to ${samplePath}`, samplePath);
  } catch (error) {
    return new ConfigError(`${cannotRead(file, reason)}; writing a sample configuration failed too (${errorMessage(error)})`);
  }
}

/**
 * Start-up load of the main file. If it cannot be read, a sample is written to
 * a new temporary file and ConfigMissingError names it; invalid → ConfigError.
 */
export function loadMainConfig(file: string, options: { sampleDir?: string } = {}): MainConfigLoad {
  const read = readConfigText(file);
  if (!read.ok) throw missingConfigError(file, read.reason, options.sampleDir);
  return parseOrThrow(read.text, file);
}
