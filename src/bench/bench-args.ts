/** Command line of `npm run bench`. Pure. */
import { TRASH_KINDS, type TrashKind } from './generate.js';

export type BenchDaemon = 'archiver' | 'retriever' | 'deleter' | 'fake-dsmc';

export const ALL_DAEMONS: readonly BenchDaemon[] = ['archiver', 'retriever', 'deleter', 'fake-dsmc'];

export interface BenchOptions {
  /** Pool sizes, smallest first. */
  readonly sizes: readonly number[];
  readonly repeats: number;
  /** Daemon `sleeptime` in the bench configs, seconds. */
  readonly sleepSec: number;
  /** Length of one CPU measuring window, seconds (one daemon cycle by default). */
  readonly windowSec: number;
  /** CPU measuring windows per daemon start. */
  readonly windows: number;
  /** Sessions to watch end for the retriever turnaround. */
  readonly turnarounds: number;
  readonly daemons: readonly BenchDaemon[];
  readonly out: string;
  /** Parent of the temporary pools. */
  readonly tmpdir: string | undefined;
  /** Largest N at which the archiver's "sessions succeed" run (the fake archives every file) is done. */
  readonly archiveAllMax: number;
  /** A checkout of the Perl ENDIT daemons to run beside endit (`--against-perl DIR`). */
  readonly againstPerl: string | undefined;
  /** What the deleter's trash/ files hold, one run set each. */
  readonly trashKinds: readonly TrashKind[];
  /** Whether the objects the deleter deletes are in the fake library (`present`) or already gone (every id ANS1345E). */
  readonly deleteObjects: DeleteObjects;
  /** Tables as Markdown (for BENCHMARKS.md). */
  readonly markdown: boolean;
  readonly help: boolean;
}

export type DeleteObjects = 'gone' | 'present';

export class BenchArgsError extends Error {}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Runs the real daemons against the fake dsmc on generated pools and prints one
table (N, daemon, figure, min/median/max over repeats, find floor, ratio).

  --quick            10k and 100k files, 2 repeats (about 3 minutes)
  --tiny             one small pool (N=300), one repeat, short windows (smoke test)
  --n LIST           pool sizes, e.g. --n 1000,50000 (default 10k,100k,1M)
  --repeats R        daemon starts per figure (default 3; --quick: 2; --tiny: 1)
  --window S         CPU measuring window in seconds (default: sleeptime)
  --windows K        CPU windows measured per daemon start (default 3; --quick: 2; --tiny: 1)
  --sleeptime S      daemon sleeptime in the bench configs (default 5)
  --only LIST        some of: archiver,retriever,deleter,fake-dsmc
  --out FILE         JSON rows (default bench-results.json)
  --tmpdir DIR       where the temporary pools go (default the OS temp dir)
  --archive-all-max N  largest N for the archiver run where the fake archives every file (default 1000000)
  --against-perl DIR also run the Perl ENDIT daemons of the checkout DIR (neicnordic/endit), in
                     turn with endit, and print each figure for both with the ratio endit/Perl;
                     they need perl and the Debian packages libjson-perl libjson-xs-perl
                     libfilesys-df-perl libschedule-cron-perl
  --trash LIST       deleter trash/ files: empty, uri (the tape URI dCache writes), or both (default empty,uri)
  --delete-objects gone|present
                     deleter: the objects are already gone from tape (dsmc answers ANS1345E for
                     each id; default) or present (the fake library holds them; dsmc deletes them)
  --markdown         print the tables as Markdown
  --help
`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0) throw new BenchArgsError(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** `10k`, `100000`, `1M` → a number. */
export function parseSize(text: string): number {
  const match = /^(\d+)([kKmM]?)$/.exec(text.trim());
  if (match === null) throw new BenchArgsError(`bad pool size ${JSON.stringify(text)}`);
  const unit = (match[2] ?? '').toLowerCase();
  const n = Number(match[1]) * (unit === 'k' ? 1000 : unit === 'm' ? 1_000_000 : 1);
  if (n <= 0) throw new BenchArgsError(`bad pool size ${JSON.stringify(text)}`);
  return n;
}

function parseTrashKinds(text: string | undefined): TrashKind[] {
  if (text === undefined) throw new BenchArgsError('--trash: expected a list');
  return text.split(',').map((name) => {
    const kind = TRASH_KINDS.find((k) => k === name.trim());
    if (kind === undefined) throw new BenchArgsError(`--trash: unknown kind ${JSON.stringify(name)} (one of ${TRASH_KINDS.join(', ')})`);
    return kind;
  });
}

function parseDeleteObjects(text: string | undefined): DeleteObjects {
  if (text === 'gone' || text === 'present') return text;
  throw new BenchArgsError(`--delete-objects: expected gone or present, got ${JSON.stringify(text)}`);
}

function parseDaemons(text: string | undefined): BenchDaemon[] {
  if (text === undefined) throw new BenchArgsError('--only: expected a list');
  return text.split(',').map((name) => {
    const daemon = ALL_DAEMONS.find((d) => d === name.trim());
    if (daemon === undefined) throw new BenchArgsError(`--only: unknown daemon ${JSON.stringify(name)} (one of ${ALL_DAEMONS.join(', ')})`);
    return daemon;
  });
}

/** What the command line said, before the defaults that depend on --tiny/--quick. */
interface BenchFlags {
  sizes: number[];
  repeats: number | undefined;
  sleepSec: number;
  windowSec: number | undefined;
  windows: number | undefined;
  daemons: BenchDaemon[];
  out: string;
  tmpdir: string | undefined;
  archiveAllMax: number;
  againstPerl: string | undefined;
  trashKinds: TrashKind[];
  deleteObjects: DeleteObjects;
  markdown: boolean;
  tiny: boolean;
  quick: boolean;
  help: boolean;
}

/** The options that take one positive integer, and the flag each sets. */
const POSITIVE_INT_OPTIONS = {
  '--repeats': 'repeats',
  '--window': 'windowSec',
  '--windows': 'windows',
  '--sleeptime': 'sleepSec',
  '--archive-all-max': 'archiveAllMax',
} as const satisfies Record<string, keyof BenchFlags>;

function isPositiveIntOption(arg: string): arg is keyof typeof POSITIVE_INT_OPTIONS {
  return Object.hasOwn(POSITIVE_INT_OPTIONS, arg);
}

/** Applies one option to `flags`; `next` hands out its value. */
function parseOption(flags: BenchFlags, arg: string, next: () => string | undefined): void {
  if (isPositiveIntOption(arg)) {
    flags[POSITIVE_INT_OPTIONS[arg]] = positiveInt(arg, next());
    return;
  }
  switch (arg) {
    case '--quick':
      flags.quick = true;
      flags.sizes = [10_000, 100_000];
      break;
    case '--tiny':
      flags.tiny = true;
      flags.sizes = [300];
      break;
    case '--n':
      flags.sizes = (next() ?? '').split(',').map(parseSize);
      break;
    case '--only':
      flags.daemons = parseDaemons(next());
      break;
    case '--out': {
      const value = next();
      if (value === undefined || value === '') throw new BenchArgsError('--out: expected a file name');
      flags.out = value;
      break;
    }
    case '--tmpdir':
      flags.tmpdir = next();
      if (flags.tmpdir === undefined) throw new BenchArgsError('--tmpdir: expected a directory');
      break;
    case '--against-perl':
      flags.againstPerl = next();
      if (flags.againstPerl === undefined || flags.againstPerl === '') throw new BenchArgsError('--against-perl: expected the directory of a neicnordic/endit checkout');
      break;
    case '--trash':
      flags.trashKinds = parseTrashKinds(next());
      break;
    case '--delete-objects':
      flags.deleteObjects = parseDeleteObjects(next());
      break;
    case '--markdown':
      flags.markdown = true;
      break;
    case '--help':
    case '-h':
      flags.help = true;
      break;
    default:
      throw new BenchArgsError(`unknown option ${JSON.stringify(arg)}\n\n${BENCH_USAGE}`);
  }
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const flags: BenchFlags = {
    sizes: [10_000, 100_000, 1_000_000],
    repeats: undefined,
    sleepSec: 5,
    windowSec: undefined,
    windows: undefined,
    daemons: [...ALL_DAEMONS],
    out: 'bench-results.json',
    tmpdir: undefined,
    archiveAllMax: 1_000_000,
    againstPerl: undefined,
    trashKinds: [...TRASH_KINDS],
    deleteObjects: 'gone',
    markdown: false,
    tiny: false,
    quick: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) parseOption(flags, argv[i] as string, () => argv[++i]);
  const { tiny, quick, sleepSec } = flags;
  return {
    sizes: [...new Set(flags.sizes)].sort((a, b) => a - b),
    repeats: flags.repeats ?? (tiny ? 1 : quick ? 2 : 3),
    sleepSec: tiny ? Math.min(sleepSec, 2) : sleepSec,
    windowSec: flags.windowSec ?? (tiny ? 2 : sleepSec),
    windows: flags.windows ?? (tiny ? 1 : quick ? 2 : 3),
    turnarounds: tiny ? 2 : 5,
    daemons: flags.daemons,
    out: flags.out,
    tmpdir: flags.tmpdir,
    archiveAllMax: flags.archiveAllMax,
    againstPerl: flags.againstPerl,
    trashKinds: [...new Set(flags.trashKinds)],
    deleteObjects: flags.deleteObjects,
    markdown: flags.markdown,
    help: flags.help,
  };
}
