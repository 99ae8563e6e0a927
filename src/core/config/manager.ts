import { diffConfig, rawDiffers, sameSnapshot, type DiffScope } from './diff.js';
import { ConfigError } from './errors.js';
import { readMainConfig, type MainConfigLoad } from './load.js';
import { applyOverride } from './override.js';
import { readOverrideFile, statMtimeMs, type OverrideReadOptions } from './override-file.js';
import { applyReload } from './reload.js';
import type { ConfigSnapshot } from './snapshot.js';
import { errorMessage } from '../errors.js';
import type { LogCode } from '../log/codes.js';

export interface ConfigLogger {
  info(msg: string): void;
  warn(code: LogCode, msg: string): void;
  error(code: LogCode, msg: string): void;
}

export interface ConfigManagerOptions {
  readonly overrideRead?: OverrideReadOptions;
}

interface AcceptedOverride {
  readonly data: Readonly<Record<string, unknown>>;
  readonly mtimeMs: number;
}

/**
 * Holds the main-file snapshot and the effective one (main + override), and
 * swaps in new snapshots on override changes and SIGHUP. The daemons read
 * `current` each cycle.
 */
export class ConfigManager {
  readonly #file: string;
  readonly #scope: DiffScope;
  readonly #logger: ConfigLogger;
  readonly #options: ConfigManagerOptions;
  #main: ConfigSnapshot;
  #effective: ConfigSnapshot;
  #accepted: AcceptedOverride | null = null;
  #seenMtimeMs: number | null = null;
  #lastStatError = '';

  constructor(file: string, scope: DiffScope, logger: ConfigLogger, initial: MainConfigLoad, options: ConfigManagerOptions = {}) {
    this.#file = file;
    this.#scope = scope;
    this.#logger = logger;
    this.#options = options;
    this.#main = initial.snapshot;
    this.#effective = initial.snapshot;
  }

  /** The configuration in force (main file + override). */
  get current(): ConfigSnapshot {
    return this.#effective;
  }

  /** The main file's configuration, without the override. */
  get main(): ConfigSnapshot {
    return this.#main;
  }

  /**
   * Check the override file (by modification time unless forced), apply or
   * reject it, and log the changes. Returns whether the effective values changed.
   */
  async refreshOverride({ force }: { force: boolean }): Promise<boolean> {
    const file = this.#main.values.confoverridefile;
    const mtimeMs = await this.#statOverride(file);
    if (mtimeMs === undefined) return this.#recompute();
    if (mtimeMs === null) return this.#dropOverride(file);
    if (!force && mtimeMs === this.#seenMtimeMs) return false;
    this.#seenMtimeMs = mtimeMs;
    const read = await readOverrideFile(file, this.#options.overrideRead);
    if (read.kind === 'absent') return this.#dropOverride(file);
    if (read.kind === 'unreadable') {
      this.#logger.warn('override_unreadable', `Conf: override file not loaded, keeping the configuration in force: ${read.error}`);
      return this.#recompute();
    }
    this.#seenMtimeMs = read.mtimeMs;
    const outcome = applyOverride(this.#main, read.data, file, read.mtimeMs);
    if (!outcome.ok) {
      this.#logger.warn('override_rejected', `Conf: override file rejected, keeping the configuration in force: ${outcome.error}`);
      return this.#recompute();
    }
    this.#accepted = { data: read.data, mtimeMs: read.mtimeMs };
    return this.#swap(outcome.snapshot);
  }

  /** SIGHUP: re-read the main file (an invalid one is rejected whole), then the override at once. */
  async reload(): Promise<boolean> {
    let fresh: MainConfigLoad;
    try {
      fresh = readMainConfig(this.#file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) {
        this.#logger.error('config_invalid', `Conf: new configuration rejected, keeping the running one: ${problem}`);
      }
      return false;
    }
    for (const warning of fresh.warnings) this.#logger.warn('config_warning', warning);
    const reloaded = applyReload(this.#main, fresh.snapshot);
    for (const warning of reloaded.warnings) this.#logger.warn('config_not_reloadable', warning);
    this.#main = reloaded.snapshot;
    return this.refreshOverride({ force: true });
  }

  /** mtime, null when absent, undefined when it cannot be checked (warned once per reason). */
  async #statOverride(file: string): Promise<number | null | undefined> {
    try {
      const mtimeMs = await statMtimeMs(file);
      this.#lastStatError = '';
      return mtimeMs;
    } catch (error) {
      const message = `Conf: cannot check override file ${file}, keeping the configuration in force: ${errorMessage(error)}`;
      if (message !== this.#lastStatError) this.#logger.warn('override_unreadable', message);
      this.#lastStatError = message;
      return undefined;
    }
  }

  #dropOverride(file: string): boolean {
    if (this.#accepted !== null) this.#logger.info(`Conf: override file ${file} removed, returning to the main configuration`);
    this.#accepted = null;
    this.#seenMtimeMs = null;
    return this.#recompute();
  }

  /** Main + the last accepted override (after a reload it may no longer fit: then main alone). */
  #recompute(): boolean {
    if (this.#accepted === null) return this.#swap(this.#main);
    const file = this.#main.values.confoverridefile;
    const outcome = applyOverride(this.#main, this.#accepted.data, file, this.#accepted.mtimeMs);
    if (outcome.ok) return this.#swap(outcome.snapshot);
    this.#logger.warn('override_rejected', `Conf: override no longer fits the configuration, dropped: ${outcome.error}`);
    this.#accepted = null;
    return this.#swap(this.#main);
  }

  #swap(next: ConfigSnapshot): boolean {
    const previous = this.#effective;
    if (next === previous || sameSnapshot(previous, next)) return false;
    for (const line of diffConfig(previous, next, this.#scope)) this.#logger.info(line);
    this.#effective = next;
    return rawDiffers(previous, next);
  }
}
