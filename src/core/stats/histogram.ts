/**
 * A Prometheus histogram a daemon keeps itself: observations counted in
 * buckets, published each cycle as a snapshot (prom-client's Histogram can
 * only observe, while the stats files are written from one record of
 * figures per cycle).
 */

/** The state of a histogram: Prometheus `le` buckets (cumulative), sum and count. */
export interface HistogramSnapshot {
  readonly kind: 'histogram';
  /** Upper bounds, ascending; the +Inf bucket is `count`. */
  readonly upperBounds: readonly number[];
  /** Observations less than or equal to each upper bound. */
  readonly cumulativeCounts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Counts observations into fixed buckets. */
export class HistogramAccumulator {
  /** Per bucket, not cumulative; the last one is above every bound. */
  private readonly counts: number[];
  private sum = 0;

  constructor(readonly upperBounds: readonly number[]) {
    const ascending = upperBounds.every((bound, i) => Number.isFinite(bound) && (i === 0 || bound > (upperBounds[i - 1] as number)));
    if (!ascending) throw new Error(`histogram bounds must be finite and ascending: ${upperBounds.join(', ')}`);
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let bucket = this.upperBounds.findIndex((bound) => value <= bound);
    if (bucket < 0) bucket = this.upperBounds.length;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const cumulativeCounts = this.upperBounds.map((_, i) => (running += this.counts[i] as number));
    const count = running + (this.counts[this.upperBounds.length] as number);
    return { kind: 'histogram', upperBounds: [...this.upperBounds], cumulativeCounts, sum: this.sum, count };
  }
}

export function isHistogramSnapshot(value: unknown): value is HistogramSnapshot {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'histogram';
}

/**
 * The flat keys of the stats JSON (every value a number): `<name>_count`,
 * `<name>_sum`, and `<name>_bucket_le_<bound>` per bucket (cumulative, as
 * Prometheus's `le`), `<name>_bucket_le_inf` equal to the count. Pure.
 */
export function flattenHistogram(name: string, snapshot: HistogramSnapshot): Record<string, number> {
  const out: Record<string, number> = { [`${name}_count`]: snapshot.count, [`${name}_sum`]: snapshot.sum };
  snapshot.upperBounds.forEach((bound, i) => {
    out[`${name}_bucket_le_${bound}`] = snapshot.cumulativeCounts[i] as number;
  });
  out[`${name}_bucket_le_inf`] = snapshot.count;
  return out;
}

/** As prom-client escapes: backslash and newline, and in label values the double quote. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(text: string): string {
  return escapeHelp(text).replace(/"/g, '\\"');
}

/**
 * One histogram family in the Prometheus text format: HELP, TYPE, a
 * `_bucket` sample per bound plus `+Inf`, `_sum` and `_count`; no
 * timestamps. Pure.
 */
export function renderHistogramText(metric: string, help: string, labels: Readonly<Record<string, string>>, snapshot: HistogramSnapshot): string {
  const labelText = (extra: Record<string, string>): string => {
    const pairs = Object.entries({ ...labels, ...extra }).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
    return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
  };
  const lines = [`# HELP ${metric} ${escapeHelp(help)}`, `# TYPE ${metric} histogram`];
  snapshot.upperBounds.forEach((bound, i) => lines.push(`${metric}_bucket${labelText({ le: String(bound) })} ${snapshot.cumulativeCounts[i]}`));
  lines.push(`${metric}_bucket${labelText({ le: '+Inf' })} ${snapshot.count}`);
  lines.push(`${metric}_sum${labelText({})} ${snapshot.sum}`);
  lines.push(`${metric}_count${labelText({})} ${snapshot.count}`);
  return `${lines.join('\n')}\n`;
}
