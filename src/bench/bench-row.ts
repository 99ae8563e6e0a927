/** Rows of the bench table and JSON, their targets and growth. Pure. */
import type { ImplName } from './implementation.js';

export interface BenchRow {
  readonly daemon: string;
  readonly n: number;
  readonly figure: string;
  readonly unit: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** Seconds `find DIR -maxdepth 1 -type f -printf '%s %T@\n'` took on the same directory in the same run; null where a figure has no floor. */
  readonly floor: number | null;
  /** median / floor; null without a floor. */
  readonly ratio: number | null;
  /** The target for this figure, in words; absent for figures shown for information. */
  readonly target?: string;
  /** Whether the target holds here; null where it is set for another N (ratios are targets at 1M). */
  readonly met?: boolean | null;
  readonly samples: number;
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** min / median / max of samples (median of an even count: mean of the middle two). */
export function spreadOf(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}

/** A target: where it applies, what it says, and the test. */
export interface Target {
  readonly text: string;
  /** Checked only at this N and above (floor ratios mean little when Node's start-up dwarfs the floor). */
  readonly fromN: number;
  readonly holds: (row: Pick<BenchRow, 'min' | 'median' | 'max' | 'ratio'>) => boolean;
}

const AT_SCALE = 1_000_000;

const ratioAtMost = (limit: number): Target => ({ text: `≤ ${limit}× floor`, fromN: AT_SCALE, holds: (r) => r.ratio !== null && r.ratio <= limit });
const maxAtMost = (limit: number, unit: string): Target => ({ text: `≤ ${limit} ${unit}`, fromN: 0, holds: (r) => r.max <= limit });
const medianAtMost = (limit: number, unit: string): Target => ({ text: `≤ ${limit} ${unit} (median)`, fromN: 0, holds: (r) => r.median <= limit });

/** Issue 15 item 4's figures (signal-run.ts measures them). */
export const SIGNAL_FIGURES = {
  term: 'SIGTERM while reading → exit',
  status: 'SIGTERM while reading: exit status',
  usr1: 'SIGUSR1 while reading → acted on',
} as const;

/** What one daemon's signal runs measured; null where the reading was over before it was caught. */
export interface SignalSample {
  readonly termSec: number | null;
  readonly exitStatus: number | null;
  readonly usr1Sec: number | null;
}

const exitStatusZero: Target = { text: '0 (a clean exit)', fromN: 0, holds: (r) => r.min === 0 && r.max === 0 };

/** Issue 15 item 4: SIGTERM and SIGUSR1 take effect within 2 s while the daemon reads its big directory (signal-run.ts). */
const SIGNAL_TARGETS: Readonly<Record<string, Target>> = Object.fromEntries(
  ['archiver', 'retriever', 'deleter'].flatMap((daemon) => [
    [`${daemon}/${SIGNAL_FIGURES.term}`, maxAtMost(2, 's')],
    [`${daemon}/${SIGNAL_FIGURES.status}`, exitStatusZero],
    [`${daemon}/${SIGNAL_FIGURES.usr1}`, maxAtMost(2, 's')],
  ]),
);

/** The targets of issue 6 (and issue 15 item 4), by daemon and figure. */
export const TARGETS: Readonly<Record<string, Target>> = {
  ...SIGNAL_TARGETS,
  'archiver/first session': ratioAtMost(3),
  'archiver/CPU while sessions run': medianAtMost(5, '% of a core'),
  'archiver/peak RSS (sessions hang)': maxAtMost(400, 'MiB'),
  'archiver/peak RSS (sessions succeed)': maxAtMost(400, 'MiB'),
  'archiver/longest log line': maxAtMost(4096, 'bytes'),
  'retriever/first session': ratioAtMost(3),
  'retriever/steady cycle CPU': ratioAtMost(0.25),
  'retriever/peak RSS (sessions hang)': maxAtMost(500, 'MiB'),
  'retriever/peak RSS (sessions succeed)': maxAtMost(500, 'MiB'),
  'retriever/turnaround': maxAtMost(1, 's'),
  'retriever/longest log line': maxAtMost(4096, 'bytes'),
  'deleter/all queued': ratioAtMost(3),
  'deleter/queue processed': ratioAtMost(3),
  'deleter/peak RSS': maxAtMost(400, 'MiB'),
  'deleter/longest log line': maxAtMost(4096, 'bytes'),
};

export interface Measured {
  /** Which program the samples are of; endit when absent. */
  readonly impl?: ImplName;
  readonly daemon: string;
  readonly n: number;
  readonly figure: string;
  readonly unit: string;
  readonly samples: readonly number[];
  readonly floor?: number | null;
}

/** The rows of the signal runs, per program; a figure without a sample gets none. `suffix`: the pool variant (` [empty trash files]`). Pure. */
export function signalRows(daemon: 'archiver' | 'retriever' | 'deleter', n: number, byImpl: Partial<Record<ImplName, SignalSample>>, suffix = ''): Measured[] {
  const rows: Measured[] = [];
  for (const [impl, sample] of Object.entries(byImpl) as Array<[ImplName, SignalSample]>) {
    const add = (figure: string, unit: string, value: number | null): void => {
      if (value !== null) rows.push({ impl, daemon, n, figure: `${figure}${suffix}`, unit, samples: [value] });
    };
    add(SIGNAL_FIGURES.term, 's', sample.termSec);
    add(SIGNAL_FIGURES.status, 'status', sample.exitStatus);
    add(SIGNAL_FIGURES.usr1, 's', sample.usr1Sec);
  }
  return rows;
}

/** `all queued [empty trash files]` → `all queued`: a figure's targets hold for every variant of its pool. */
export function figureWithoutVariant(figure: string): string {
  return figure.replace(/ \[[^\]]*\]$/, '');
}

/** One row from samples: spread, ratio to the floor, and the target verdict. */
export function buildRow(m: Measured, targets: Readonly<Record<string, Target>> = TARGETS): BenchRow {
  const spread = spreadOf(m.samples);
  const floor = m.floor ?? null;
  const ratio = floor === null || floor <= 0 ? null : spread.median / floor;
  const base = { daemon: m.daemon, n: m.n, figure: m.figure, unit: m.unit, ...spread, floor, ratio, samples: m.samples.length };
  const target = targets[`${m.daemon}/${figureWithoutVariant(m.figure)}`];
  if (target === undefined) return base;
  return { ...base, target: target.text, met: m.n >= target.fromN ? target.holds({ ...spread, ratio }) : null };
}

/** Growth is computed for times and memory; percentages and byte counts of a line say nothing about it. */
const GROWTH_UNITS: ReadonlySet<string> = new Set(['s', 'MiB']);
/** Nor do the signal figures: a bound that holds at any N, not a cost of N. */
const NO_GROWTH_FIGURES: ReadonlySet<string> = new Set(Object.values(SIGNAL_FIGURES));

/**
 * How a figure grows with N between consecutive sizes: the exponent k in
 * cost ∝ N^k (1 = linear, 2 = quadratic), from the medians. Rows whose
 * medians are not positive at both sizes are left out.
 */
export function growthRows(rows: readonly BenchRow[]): BenchRow[] {
  const groups = new Map<string, BenchRow[]>();
  for (const row of rows) {
    if (!GROWTH_UNITS.has(row.unit) || NO_GROWTH_FIGURES.has(figureWithoutVariant(row.figure))) continue;
    const key = `${row.daemon}\u0000${row.figure}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const out: BenchRow[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.n - b.n);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as BenchRow;
      const b = sorted[i] as BenchRow;
      if (a.median <= 0 || b.median <= 0 || a.n === b.n) continue;
      const k = Math.log(b.median / a.median) / Math.log(b.n / a.n);
      out.push({
        daemon: b.daemon,
        n: b.n,
        figure: `growth of ${b.figure} from N=${a.n}`,
        unit: 'exponent',
        min: k,
        median: k,
        max: k,
        floor: null,
        ratio: null,
        target: '≤ 1 (linear) or better; 2 = quadratic',
        met: k <= 1.25,
        samples: 2,
      });
    }
  }
  return out;
}
