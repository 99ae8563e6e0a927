import path from 'node:path';
import { Gauge, Registry } from 'prom-client';
import type { FigureSpec } from './figure-spec.js';
import { writeFileAtomic } from './atomic-write.js';

export interface StatsPublisherOptions {
  /** `archiver`, `retriever` or `deleter`: part of the file names. */
  readonly daemon: string;
  readonly hsm: string;
  readonly dir: string;
  readonly figures: readonly FigureSpec[];
  readonly version: string;
}

/** Figures of one cycle: plain numbers by figure name; errors by code separately. */
export interface FigureValues {
  readonly values: Readonly<Record<string, number>>;
  readonly errorsByCode: ReadonlyMap<string, number>;
}

/**
 * Every figure is exposed with TYPE gauge. The names are the Perl program's
 * (dashboards depend on them) and its counters lack the `_total` suffix that
 * `promtool check metrics` demands of TYPE counter; PromQL's rate() works on
 * them all the same. Counters say so in their help text.
 */
function createMetric(spec: FigureSpec, registry: Registry, daemon: string): Gauge<string> {
  return new Gauge({
    name: `endit_${spec.name}`,
    help: `ENDIT ${daemon} ${spec.help}${spec.type === 'counter' ? ' (counter: only grows while the daemon runs)' : ''}.`,
    labelNames: ['hsm', ...(spec.labels ?? [])],
    registers: [registry],
  });
}

/** The flat JSON record: every value a number; errors as `<daemon>_errors` (total) and `<daemon>_errors_<code>`. */
export function buildStatsJson(daemon: string, figures: FigureValues): Record<string, number> {
  const out: Record<string, number> = { ...figures.values };
  let total = 0;
  for (const [code, count] of [...figures.errorsByCode].sort(([a], [b]) => a.localeCompare(b))) {
    out[`${daemon}_errors_${code}`] = count;
    total += count;
  }
  out[`${daemon}_errors`] = total;
  out[`${daemon}_info`] = 1;
  return out;
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
  private readonly metrics = new Map<string, Gauge<string>>();

  constructor(private readonly options: StatsPublisherOptions) {
    this.jsonPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.json`);
    this.promPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.prom`);
    for (const spec of options.figures) this.metrics.set(spec.name, createMetric(spec, this.registry, options.daemon));
  }

  async renderProm(figures: FigureValues): Promise<string> {
    const hsm = this.options.hsm;
    const { daemon } = this.options;
    for (const [name, metric] of this.metrics) {
      metric.reset();
      if (name === `${daemon}_info`) {
        metric.set({ hsm, version: this.options.version }, 1);
      } else if (name === `${daemon}_errors`) {
        for (const [code, count] of figures.errorsByCode) metric.set({ hsm, code }, count);
      } else {
        const value = figures.values[name];
        if (value !== undefined) metric.set({ hsm }, value);
      }
    }
    return this.registry.metrics();
  }

  async publish(figures: FigureValues): Promise<void> {
    const json = `${JSON.stringify(buildStatsJson(this.options.daemon, figures))}\n`;
    await writeFileAtomic(this.jsonPath, json, { mode: 0o644 });
    await writeFileAtomic(this.promPath, await this.renderProm(figures), { mode: 0o644 });
  }
}
