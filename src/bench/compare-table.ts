/** endit beside the Perl original: one row per figure measured for both, with the ratio endit/Perl. Pure. */
import { spreadOf, type Measured, type Spread } from './bench-row.js';
import { formatN, formatNumber } from './format-table.js';

export interface ComparisonRow {
  readonly daemon: string;
  readonly n: number;
  readonly figure: string;
  readonly unit: string;
  readonly perl: Spread & { readonly samples: number };
  readonly endit: Spread & { readonly samples: number };
  /** endit median / Perl median; null when the Perl median is not positive. */
  readonly ratio: number | null;
}

const keyOf = (m: Pick<Measured, 'daemon' | 'n' | 'figure'>): string => `${m.daemon}\u0000${m.n}\u0000${m.figure}`;

/** Pairs endit's and Perl's samples of the same daemon, N and figure, in endit's order; figures one side lacks are left out. */
export function comparisonRows(measured: readonly Measured[]): ComparisonRow[] {
  const perl = new Map<string, Measured>();
  for (const m of measured) if (m.impl === 'perl' && m.samples.length > 0) perl.set(keyOf(m), m);
  const rows: ComparisonRow[] = [];
  for (const m of measured) {
    const p = perl.get(keyOf(m));
    if ((m.impl ?? 'endit') !== 'endit' || p === undefined || m.samples.length === 0) continue;
    const enditSpread = { ...spreadOf(m.samples), samples: m.samples.length };
    const perlSpread = { ...spreadOf(p.samples), samples: p.samples.length };
    const ratio = perlSpread.median > 0 ? enditSpread.median / perlSpread.median : null;
    rows.push({ daemon: m.daemon, n: m.n, figure: m.figure, unit: m.unit, perl: perlSpread, endit: enditSpread, ratio });
  }
  return rows;
}

/** `1.80 s (1.71–1.93)`: the median, and the range when there was more than one sample. */
export function formatSpread(spread: Spread & { readonly samples: number }, unit: string): string {
  const median = `${formatNumber(spread.median)} ${unit}`;
  if (spread.samples < 2 || formatNumber(spread.min) === formatNumber(spread.max)) return median;
  return `${median} (${formatNumber(spread.min)}–${formatNumber(spread.max)})`;
}

/** `0.31×`, or `—` without a ratio. */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? '—' : `${formatNumber(ratio)}×`;
}

const HEADER = ['N', 'daemon', 'figure', 'Perl', 'endit', 'endit/Perl'];

/** The side-by-side table: plain text with padded columns, or Markdown. */
export function formatComparisonTable(rows: readonly ComparisonRow[], markdown = false): string {
  const cells = rows.map((r) => [formatN(r.n), r.daemon, r.figure, formatSpread(r.perl, r.unit), formatSpread(r.endit, r.unit), formatRatio(r.ratio)]);
  if (markdown) {
    const line = (c: readonly string[]): string => `| ${c.join(' | ')} |`;
    return [line(HEADER), line(HEADER.map(() => '---')), ...cells.map(line)].join('\n');
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const pad = (c: readonly string[]): string =>
    c
      .map((text, i) => (i >= 3 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [pad(HEADER), pad(widths.map((w) => '-'.repeat(w))), ...cells.map(pad)].join('\n');
}

/** The JSON file of the side-by-side rows: `bench-results.json` → `bench-results-vs-perl.json`. */
export function comparisonOutPath(out: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -'.json'.length)}-vs-perl.json` : `${out}-vs-perl.json`;
}
