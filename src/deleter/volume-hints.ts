import fs from 'node:fs/promises';
import type { LogCode, Logger } from '../core/log/index.js';
import { readHintFile, type HintMap } from '../core/hints/index.js';
import { errorMessage } from '../core/errors.js';

/** What volume-aware deletion needs from the hint file: the volume of an id, and how many ids a volume holds. */
export interface VolumeHints {
  /** A hint file is loaded. */
  readonly active: boolean;
  readonly volumeOf: (id: string) => string | undefined;
  readonly idsOnVolume: (volume: string) => number;
  /** Loads the file, or reloads it when its modification time changed; a bad file keeps the old hints. */
  refresh(file: string | undefined): Promise<void>;
  clear(): void;
}

export function createVolumeHints(logger: Logger): VolumeHints {
  let hints: HintMap | null = null;
  let countByVolume = new Map<string, number>();
  let loaded: { file: string; mtimeMs: number } | null = null;
  let lastProblem = '';

  const problem = (code: LogCode, message: string): void => {
    if (message !== lastProblem) logger.warn(code, message);
    lastProblem = message;
  };

  const load = async (file: string): Promise<void> => {
    const read = await readHintFile(file);
    const counts = new Map<string, number>();
    for (const hint of read.hints.values()) counts.set(hint.volid, (counts.get(hint.volid) ?? 0) + 1);
    hints = read.hints;
    countByVolume = counts;
    loaded = { file, mtimeMs: read.mtimeMs };
    lastProblem = '';
    logger.info(`Loaded ${read.hints.size} tape hints on ${counts.size} volumes from ${file}${read.skipped > 0 ? ` (${read.skipped} unusable entries skipped, first ${read.firstSkip ?? ''})` : ''}`);
  };

  return {
    get active() {
      return hints !== null;
    },
    volumeOf: (id) => hints?.get(id)?.volid,
    idsOnVolume: (volume) => countByVolume.get(volume) ?? 0,
    async refresh(file) {
      if (file === undefined) {
        problem('hintfile_missing', 'deleter_volumequiet is set but retriever_hintfile is not: deletions are sent without regard to volumes');
        this.clear();
        return;
      }
      let mtimeMs: number;
      try {
        mtimeMs = (await fs.stat(file)).mtimeMs;
      } catch (error) {
        problem('hintfile_unreadable', `cannot read hint file ${file} (${errorMessage(error)}): ${hints === null ? 'deletions are sent without regard to volumes' : 'keeping the hints loaded before'}`);
        return;
      }
      if (loaded !== null && loaded.file === file && loaded.mtimeMs === mtimeMs) return;
      try {
        await load(file);
      } catch (error) {
        problem('hintfile_invalid', `hint file ${file} not used: ${errorMessage(error)}${hints === null ? '' : '; keeping the hints loaded before'}`);
      }
    },
    clear() {
      hints = null;
      countByVolume = new Map();
      loaded = null;
    },
  };
}
