/**
 * The options of `npm run bench:tape`: those of the simulator's comparison
 * (`--seeds`, `--drives`, `--recalls`, `--volumes`, `--summary`,
 * `--markdown`, parsed by it) and the real run's own. Pure.
 */
import { CompareArgsError, parseCompareArgs, type CompareOptions } from '../../tape-model/compare-report.js';

export const DEFAULT_TIME_SCALE = 0.01;
/** Recalled files at a thousandth of their size: they fit in any in/; drive times stay as they are. */
export const BYTE_SCALE = 0.001;

export const TAPE_BENCH_USAGE = `usage: npm run bench:tape -- [options]
Replays seeded recall traces against the real endit-retriever and the fake
dsmc's LTO-9 drive model in compressed time, next to the simulator's
ENDIT-rules and today's baselines and the new policy (issue 11 §4).
  --seeds LIST        seeds, e.g. 1,2,3 or 1-5 (default 1,2,3)
  --time-scale S      real time per simulated time, e.g. 0.01 or 1/60 (default ${DEFAULT_TIME_SCALE});
                      time keys are rounded to whole real seconds (reported)
  --drives N          tape drives and retriever_maxworkers (default 3)
  --recalls N         recalls per trace (default 600)
  --volumes N         volumes per trace (default 30)
  --tmpdir DIR        where the temporary pools go (default the OS temp dir)
  --summary           only the mean over the seeds
  --markdown          Markdown tables
`;

export interface TapeBenchOptions extends CompareOptions {
  readonly timeScale: number;
  readonly tmpdir: string | undefined;
}

export class TapeArgsError extends Error {}

/** `0.01`, or a fraction such as `1/60`; positive and at most 1. */
export function parseTimeScale(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?(?:e-?\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(text ?? '');
  const value = match === null ? NaN : Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2]));
  if (!(value > 0 && value <= 1)) throw new TapeArgsError(`--time-scale needs a number in (0, 1] such as 0.01 or 1/60, got ${text ?? 'nothing'}`);
  return value;
}

export function parseTapeBenchArgs(argv: readonly string[]): TapeBenchOptions | 'help' {
  let timeScale = DEFAULT_TIME_SCALE;
  let tmpdir: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--time-scale') timeScale = parseTimeScale(argv[++i]);
    else if (flag === '--tmpdir') {
      tmpdir = argv[++i];
      if (tmpdir === undefined || tmpdir === '') throw new TapeArgsError('--tmpdir needs a directory');
    } else rest.push(flag);
  }
  try {
    const compare = parseCompareArgs(rest);
    return compare === 'help' ? 'help' : { ...compare, timeScale, tmpdir };
  } catch (error) {
    if (error instanceof CompareArgsError) throw new TapeArgsError(error.message);
    throw error;
  }
}
