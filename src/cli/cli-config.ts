import { readMainConfig, resolveConfigPath, type MainConfigLoad } from '../core/config/index.js';
import type { CliIo } from './cli-io.js';

/** The main file named by `--config`, else `$ENDIT_CONFIG`, else /etc/endit/endit.conf. */
export function cliConfigPath(configOption: string | undefined, io: CliIo): string {
  return resolveConfigPath(configOption === undefined ? [] : ['--config', configOption], io.env);
}

/** Reads and validates the main file as the daemons do (ConfigError on any problem; no sample written). */
export function readCliConfig(configOption: string | undefined, io: CliIo): MainConfigLoad & { readonly file: string } {
  const file = cliConfigPath(configOption, io);
  return { file, ...readMainConfig(file) };
}
