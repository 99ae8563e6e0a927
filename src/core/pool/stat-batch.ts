import { statPoolFile, type PoolFile } from './scan.js';

/** What became of each name of a batch (`StatColumns.outcome`). */
export const STAT_FILE = 1;
/** Gone, or not a regular file: not reported (as `statPoolFile` returning null). */
export const STAT_SKIP = 0;
/** lstat failed otherwise (EACCES, EIO...): the main thread stats it again with `statPoolFile`, which throws as it always did. */
export const STAT_FAILED = 2;

/** lstat results of a batch of names, by position: typed arrays, transferred (not copied) from the stat worker. */
export interface StatColumns {
  readonly sizes: Float64Array<ArrayBuffer>;
  readonly mtimes: Float64Array<ArrayBuffer>;
  readonly outcome: Uint8Array<ArrayBuffer>;
}

/** A batch for the stat worker: `names` are checked pnfsids joined by '\n' (one string clones faster than 2,048). */
export interface StatRequest {
  readonly id: number;
  readonly dir: string;
  readonly names: string;
}

export interface StatReply extends StatColumns {
  readonly id: number;
}

/**
 * statPoolFile for each name in `dir` (lstat, never stat: a planted
 * `out/<id> -> /etc/shadow` is a symlink, not a file). The same rule runs on
 * the main thread and in the stat worker, so both report a name alike.
 */
export function statBatch(dir: string, names: readonly string[]): StatColumns {
  const n = names.length;
  const sizes = new Float64Array(n);
  const mtimes = new Float64Array(n);
  const outcome = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let file: PoolFile | null;
    try {
      file = statPoolFile(dir, names[i] as string);
    } catch {
      outcome[i] = STAT_FAILED;
      continue;
    }
    if (file === null) continue;
    outcome[i] = STAT_FILE;
    sizes[i] = file.sizeBytes;
    mtimes[i] = file.mtimeMs;
  }
  return { sizes, mtimes, outcome };
}
