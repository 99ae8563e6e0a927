/** The printed table. Pure. */
import type { BenchRow } from './bench-row.js';

export function formatNumber(value: number | null): string {
  if (value === null) return '—';
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.01) return value.toFixed(2);
  return value.toPrecision(2);
}

/** `1000000` → `1M`, `100000` → `100k`. */
export function formatN(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

function verdict(row: BenchRow): string {
  if (row.target === undefined) return '';
  const mark = row.met === true ? 'met' : row.met === false ? 'MISSED' : 'at 1M';
  return `${mark} (${row.target})`;
}

const HEADER = ['N', 'daemon', 'figure', 'unit', 'min', 'median', 'max', 'floor s', 'ratio', 'target'];

/** A plain-text table, columns padded; a Markdown table when `markdown`. */
export function formatBenchTable(rows: readonly BenchRow[], markdown = false): string {
  const cells = rows.map((r) => [
    formatN(r.n),
    r.daemon,
    r.figure,
    r.unit,
    formatNumber(r.min),
    formatNumber(r.median),
    formatNumber(r.max),
    formatNumber(r.floor),
    r.ratio === null ? '—' : `${formatNumber(r.ratio)}×`,
    verdict(r),
  ]);
  if (markdown) {
    const line = (c: readonly string[]): string => `| ${c.join(' | ')} |`;
    return [line(HEADER), line(HEADER.map(() => '---')), ...cells.map(line)].join('\n');
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const pad = (c: readonly string[]): string =>
    c
      .map((text, i) => (i >= 4 && i <= 8 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [pad(HEADER), pad(widths.map((w) => '-'.repeat(w))), ...cells.map(pad)].join('\n');
}
