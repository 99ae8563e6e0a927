import path from 'node:path';
import { PROGRAM_LOG_CODES } from '../log/codes.js';
import type { FigureSpec } from './figure-spec.js';
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

/** Figures of one cycle: plain numbers by figure name; errors by code separately. */
export interface FigureValues {
  readonly values: Readonly<Record<string, number>>;
  readonly errorsByCode: ReadonlyMap<string, number>;
}

/** `ENDIT tsm<daemon> <help>.`: the Perl daemons' HELP text (Endit.pm's writeprom), with their log names. */
export function promHelpText(daemon: string, help: string): string {
  return `ENDIT tsm${daemon} ${help}.`;
}

/** HELP text as the text exposition format escapes it. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value as the text exposition format escapes it. */
function escapeLabelValue(text: string): string {
  return escapeHelp(text).replace(/"/g, '\\"');
}

/** A sample value, non-finite ones spelt as prom-client did. */
function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

type Sample = readonly [labels: Readonly<Record<string, string>>, value: number];

/**
 * One metric in the text exposition format, byte for byte as prom-client
 * (no longer a dependency: it cost every daemon 90 ms of CPU and 12 MiB of
 * memory to load) wrote it: HELP, TYPE as the figure's kind, the samples.
 * The Perl daemons' counters lack the `_total` suffix that `promtool check
 * metrics` asks of a counter: that lint is accepted, as the names and types
 * are what dashboards and node_exporter (across a Perl pool's files and
 * ours) depend on. Pure.
 */
function formatPromMetric(spec: FigureSpec, daemon: string, samples: readonly Sample[]): string {
  const name = `endit_${spec.name}`;
  const lines = [`# HELP ${name} ${escapeHelp(promHelpText(daemon, spec.help))}`, `# TYPE ${name} ${spec.type}`];
  for (const [labels, value] of samples) {
    const labelText = Object.entries(labels).map(([label, text]) => `${label}="${escapeLabelValue(text)}"`);
    lines.push(`${name}{${labelText.join(',')}} ${formatSampleValue(value)}`);
  }
  return lines.join('\n');
}

/** Every known code (0 until its first error), then any other code counted. */
function errorCounts(knownCodes: readonly string[], errorsByCode: ReadonlyMap<string, number>): [string, number][] {
  const counts = new Map<string, number>(knownCodes.map((code) => [code, 0]));
  for (const [code, count] of errorsByCode) counts.set(code, count);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The flat JSON record: every value a number; errors as `<daemon>_errors`
 * (total) and `<daemon>_errors_<code>` for every known code, 0 before its
 * first error.
 */
export function buildStatsJson(daemon: string, figures: FigureValues, knownCodes: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = { ...figures.values };
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

/** Publishes one daemon's figures as `<hsm>-<daemon>-stats.json` and `.prom` (for node_exporter's textfile collector). */
export class StatsPublisher {
  readonly jsonPath: string;
  readonly promPath: string;
  private readonly errorCodes: readonly string[];

  constructor(private readonly options: StatsPublisherOptions) {
    this.jsonPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.json`);
    this.promPath = path.join(options.dir, `${options.hsm}-${options.daemon}-stats.prom`);
    this.errorCodes = options.errorCodes ?? knownCodesOf(options.daemon);
  }

  /** The samples of one figure. */
  private samplesOf(spec: FigureSpec, figures: FigureValues): Sample[] {
    const { hsm, daemon, version } = this.options;
    if (spec.name === `${daemon}_info`) return [[{ hsm, version }, 1]];
    // Every known code from the first write on, so that increase() sees the first error.
    if (spec.name === `${daemon}_errors`) return errorCounts(this.errorCodes, figures.errorsByCode).map(([code, count]) => [{ hsm, code }, count]);
    const value = figures.values[spec.name];
    return value === undefined ? [] : [[{ hsm }, value]];
  }

  renderProm(figures: FigureValues): string {
    const { daemon } = this.options;
    return `${this.options.figures.map((spec) => formatPromMetric(spec, daemon, this.samplesOf(spec, figures))).join('\n\n')}\n`;
  }

  async publish(figures: FigureValues): Promise<void> {
    const json = `${JSON.stringify(buildStatsJson(this.options.daemon, figures, this.errorCodes))}\n`;
    await writeFileAtomic(this.jsonPath, json, { mode: 0o644 });
    await writeFileAtomic(this.promPath, this.renderProm(figures), { mode: 0o644 });
  }
}
