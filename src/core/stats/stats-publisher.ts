import path from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { PROGRAM_LOG_CODES } from '../log/codes.js';
import type { FigureSpec } from './figure-spec.js';
import { flattenHistogram, isHistogramSnapshot, renderHistogramText, type HistogramSnapshot } from './histogram.js';
import { writeFileAtomic } from './atomic-write.js';

export interface StatsPublisherOptions {
  /** `archiver`, `retriever` or `deleter`: part of the file names. */
  readonly daemon: string;
  readonly hsm: string;
  readonly dir: string;
  readonly figures: readonly FigureSpec[];
  readonly version: string;
  /** Codes whose error count is written as 0 before their first error; default: those the daemon can log. */
  readonly errorCodes?: readonly string[];
}

/** A number, or the state of a histogram figure. */
export type FigureValue = number | HistogramSnapshot;

/** Figures of one cycle: values by figure name; errors by code separately. */
export interface FigureValues {
  readonly values: Readonly<Record<string, FigureValue>>;
  readonly errorsByCode: ReadonlyMap<string, number>;
}

type Metric = Gauge<string> | Counter<string>;

/** `ENDIT tsm<daemon> <help>.`: the Perl daemons' HELP text (Endit.pm's writeprom), with their log names. */
export function promHelpText(daemon: string, help: string): string {
  return `ENDIT tsm${daemon} ${help}.`;
}

/**
 * TYPE as the figure's kind, as the Perl daemons wrote it. Their counters
 * lack the `_total` suffix that `promtool check metrics` asks of a counter:
 * that lint is accepted, as the names and types are what dashboards and
 * node_exporter (across a Perl pool's files and ours) depend on.
 */
function createMetric(spec: FigureSpec & { type: 'counter' | 'gauge' }, registry: Registry, daemon: string): Metric {
  const config = {
    name: `endit_${spec.name}`,
    help: promHelpText(daemon, spec.help),
    labelNames: ['hsm', ...(spec.labels ?? [])],
    registers: [registry],
  };
  return spec.type === 'counter' ? new Counter(config) : new Gauge(config);
}

function setMetric(metric: Metric, labels: Record<string, string>, value: number): void {
  // A reset counter starts at 0: adding the value sets it.
  if (metric instanceof Counter) metric.inc(labels, value);
  else metric.set(labels, value);
}

/**
 * By code point: for log codes (lower case and `_`) the order localeCompare
 * gives, without ICU's collator, whose first use costs a daemon 10-20 ms of
 * CPU at its first stats write.
 */
function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every known code (0 until its first error), then any other code counted. */
function errorCounts(knownCodes: readonly string[], errorsByCode: ReadonlyMap<string, number>): [string, number][] {
  const counts = new Map<string, number>(knownCodes.map((code) => [code, 0]));
  for (const [code, count] of errorsByCode) counts.set(code, count);
  return [...counts].sort(([a], [b]) => compareCodes(a, b));
}

/**
 * The flat JSON record: every value a number; a histogram as flat keys (see
 * flattenHistogram); errors as `<daemon>_errors` (total) and
 * `<daemon>_errors_<code>` for every known code, 0 before its first error.
 */
export function buildStatsJson(daemon: string, figures: FigureValues, knownCodes: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(figures.values)) {
    if (isHistogramSnapshot(value)) Object.assign(out, flattenHistogram(name, value));
    else out[name] = value;
  }
  let total = 0;
  for (const [code, count] of errorCounts(knownCodes, figures.errorsByCode)) {
    out[`${daemon}_errors_${code}`] = count;
    total += count;
  }
  out[`${daemon}_errors`] = total;
  out[`${daemon}_info`] = 1;
  return out;
}

function knownCodesOf(daemon: string): readonly string[] {
  return Object.hasOwn(PROGRAM_LOG_CODES, daemon) ? PROGRAM_LOG_CODES[daemon as keyof typeof PROGRAM_LOG_CODES] : [];
}

/**
 * Publishes one daemon's figures as `<hsm>-<daemon>-stats.json` and `.prom`
 * (for node_exporter's textfile collector). Owns its own prom-client
 * Registry: the global one would mix daemons in tests and in one process.
 */
export class StatsPublisher {
  readonly jsonPath: string;
  readonly promPath: string;
  private readonly registry = new Registry();
  private readonly metrics = new Map<string, Metric>();
  /** Histograms are rendered here, not by prom-client (its Histogram only observes; ours come as snapshots). */
  private readonly histograms: readonly FigureSpec[];
  private readonly errorCodes: readonly string[];

  constructor(private readonly options: StatsPublisherOptions) {
    this.jsonPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.json`);
    this.promPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.prom`);
    this.errorCodes = options.errorCodes ?? knownCodesOf(options.daemon);
    this.histograms = options.figures.filter((spec) => spec.type === 'histogram');
    for (const spec of options.figures) {
      if (spec.type !== 'histogram') this.metrics.set(spec.name, createMetric(spec, this.registry, options.daemon));
    }
  }

  async renderProm(figures: FigureValues): Promise<string> {
    const hsm = this.options.hsm;
    const { daemon } = this.options;
    for (const [name, metric] of this.metrics) {
      metric.reset();
      if (name === `${daemon}_info`) {
        setMetric(metric, { hsm, version: this.options.version }, 1);
      } else if (name === `${daemon}_errors`) {
        // Every known code from the first write on, so that increase() sees the first error.
        for (const [code, count] of errorCounts(this.errorCodes, figures.errorsByCode)) setMetric(metric, { hsm, code }, count);
      } else {
        const value = figures.values[name];
        if (typeof value === 'number') setMetric(metric, { hsm }, value);
      }
    }
    return (await this.registry.metrics()) + this.renderHistograms(figures);
  }

  private renderHistograms(figures: FigureValues): string {
    const { daemon, hsm } = this.options;
    return this.histograms
      .map((spec) => {
        const value = figures.values[spec.name];
        return isHistogramSnapshot(value) ? renderHistogramText(`endit_${spec.name}`, promHelpText(daemon, spec.help), { hsm }, value) : '';
      })
      .join('');
  }

  async publish(figures: FigureValues): Promise<void> {
    const json = `${JSON.stringify(buildStatsJson(this.options.daemon, figures, this.errorCodes))}\n`;
    await writeFileAtomic(this.jsonPath, json, { mode: 0o644 });
    await writeFileAtomic(this.promPath, await this.renderProm(figures), { mode: 0o644 });
  }
}
