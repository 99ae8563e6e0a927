/**
 * The policy comparison behind `node dist/tape-model/compare.js`: its
 * arguments, the runs and the printed tables. Pure: the shell only passes
 * argv in and writes the text out.
 */
import { LTO9_LIBRARY } from './drive-model.js';
import { createEnditRulesPolicy, createNewPolicy, createTodayPolicy, defaultRetrieverSettings } from './policies.js';
import { simulate, type SimResult } from './simulate.js';
import { DEFAULT_TRACE_SPEC, generateTrace } from './trace.js';

export const COMPARE_USAGE = `usage: node dist/tape-model/compare.js [options]
Plays seeded recall traces through the ENDIT rules, today's endit policy and
the new one (issue 11)
on an LTO-9 library model and prints, per seed, what each costs.
  --seeds LIST     seeds, e.g. 1,2,3 or 1-100 (default 1,2,3)
  --drives N       tape drives, and retriever_maxworkers (default ${LTO9_LIBRARY.drives})
  --recalls N      recalls per trace (default ${DEFAULT_TRACE_SPEC.recalls})
  --volumes N      volumes per trace (default ${DEFAULT_TRACE_SPEC.volumes})
  --span-minutes N waves start within the first N minutes (default ${DEFAULT_TRACE_SPEC.spanMs / 60_000})
  --summary        only the mean over all seeds
  --markdown       Markdown tables`;

export interface CompareOptions {
  readonly seeds: readonly number[];
  readonly drives: number;
  readonly recalls: number;
  readonly volumes: number;
  /** Waves start within [0, spanMs). */
  readonly spanMs: number;
  readonly summaryOnly: boolean;
  readonly markdown: boolean;
}

export class CompareArgsError extends Error {}

function parseCount(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || value < 1) throw new CompareArgsError(`${flag} needs a positive integer, got ${text ?? 'nothing'}`);
  return value;
}

/** `1,2,3`, `1-100`, or both mixed. */
function parseSeeds(text: string | undefined): number[] {
  const seeds: number[] = [];
  for (const part of (text ?? '').split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (range === null) throw new CompareArgsError(`--seeds needs numbers or ranges like 1,2,5-8, got ${text ?? 'nothing'}`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from || to - from > 1_000_000) throw new CompareArgsError(`--seeds: bad range ${part}`);
    for (let seed = from; seed <= to; seed++) seeds.push(seed);
  }
  return seeds;
}

export function parseCompareArgs(argv: readonly string[]): CompareOptions | 'help' {
  let options: CompareOptions = { seeds: [1, 2, 3], drives: LTO9_LIBRARY.drives, recalls: DEFAULT_TRACE_SPEC.recalls, volumes: DEFAULT_TRACE_SPEC.volumes, spanMs: DEFAULT_TRACE_SPEC.spanMs, summaryOnly: false, markdown: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--summary') options = { ...options, summaryOnly: true };
    else if (flag === '--markdown') options = { ...options, markdown: true };
    else if (flag === '--seeds') options = { ...options, seeds: parseSeeds(argv[++i]) };
    else if (flag === '--drives') options = { ...options, drives: parseCount(flag, argv[++i]) };
    else if (flag === '--recalls') options = { ...options, recalls: parseCount(flag, argv[++i]) };
    else if (flag === '--volumes') options = { ...options, volumes: parseCount(flag, argv[++i]) };
    else if (flag === '--span-minutes') options = { ...options, spanMs: parseCount(flag, argv[++i]) * 60_000 };
    else throw new CompareArgsError(`unknown option ${flag}`);
  }
  return options;
}

/** Both baselines and the new policy on one seed's trace. */
export function compareSeed(options: CompareOptions, seed: number): SimResult[] {
  const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed, recalls: options.recalls, volumes: options.volumes, spanMs: options.spanMs });
  const library = { ...LTO9_LIBRARY, drives: options.drives };
  const settings = defaultRetrieverSettings(options.drives);
  return [simulate(trace, createEnditRulesPolicy(settings, seed), library), simulate(trace, createTodayPolicy(settings), library), simulate(trace, createNewPolicy(settings), library)];
}

const COLUMNS: ReadonlyArray<readonly [string, (r: SimResult) => string]> = [
  ['policy', (r) => r.policy],
  ['sessions', (r) => fixed(r.sessions, 0)],
  ['fresh', (r) => fixed(r.freshMounts, 0)],
  ['follow-on', (r) => fixed(r.followOns, 0)],
  ['avgtaperemounts', (r) => fixed(r.avgTapeRemounts, 2)],
  ['mount s', (r) => fixed(r.drive.mountSec, 0)],
  ['locate s', (r) => fixed(r.drive.locateSec, 0)],
  ['transfer s', (r) => fixed(r.drive.transferSec, 0)],
  ['unmount s', (r) => fixed(r.drive.unmountSec, 0)],
  ['idle-waited s', (r) => fixed(r.drive.idleWhileWorkWaitedSec, 0)],
  ['makespan s', (r) => fixed(r.makespanSec, 0)],
  ['bound s', (r) => fixed(r.lowerBoundSec, 0)],
  ['lat mean s', (r) => fixed(r.latency.meanSec, 0)],
  ['lat p95 s', (r) => fixed(r.latency.p95Sec, 0)],
  ['lat max s', (r) => fixed(r.latency.maxSec, 0)],
];

function fixed(value: number, digits: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits === 0 && Math.abs(value) < 100 ? 1 : digits);
}

/** One table: a row per result; numbers right-aligned. */
export function formatResults(results: readonly SimResult[], markdown: boolean): string {
  const header = COLUMNS.map(([name]) => name);
  const rows = results.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  if (markdown) {
    const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const pad = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [pad(header), ...rows.map(pad)].join('\n');
}

/** The mean of every figure of one policy's results over several seeds. */
export function meanResult(results: readonly SimResult[]): SimResult {
  const mean = (f: (r: SimResult) => number): number => results.reduce((sum, r) => sum + f(r), 0) / Math.max(1, results.length);
  return {
    policy: results[0]?.policy ?? '',
    sessions: mean((r) => r.sessions),
    freshMounts: mean((r) => r.freshMounts),
    followOns: mean((r) => r.followOns),
    failedSessions: mean((r) => r.failedSessions),
    volumesMounted: mean((r) => r.volumesMounted),
    avgTapeRemounts: mean((r) => r.avgTapeRemounts),
    maxVolumeLoads: mean((r) => r.maxVolumeLoads),
    drive: {
      mountSec: mean((r) => r.drive.mountSec),
      locateSec: mean((r) => r.drive.locateSec),
      transferSec: mean((r) => r.drive.transferSec),
      unmountSec: mean((r) => r.drive.unmountSec),
      idleWhileWorkWaitedSec: mean((r) => r.drive.idleWhileWorkWaitedSec),
    },
    makespanSec: mean((r) => r.makespanSec),
    lowerBoundSec: mean((r) => r.lowerBoundSec),
    latency: { meanSec: mean((r) => r.latency.meanSec), p95Sec: mean((r) => r.latency.p95Sec), maxSec: mean((r) => r.latency.maxSec) },
    landings: [],
  };
}

/** The whole printout: a table per seed (unless summary only), then the means when there are several seeds. */
export function runComparison(options: CompareOptions): string {
  const library = `LTO-9 model, ${options.drives} drives; ${options.recalls} recalls on ${options.volumes} volumes per trace, waves within ${options.spanMs / 60_000} min; retriever defaults, maxworkers ${options.drives}`;
  const sections: string[] = [library];
  const byPolicy = new Map<string, SimResult[]>();
  for (const seed of options.seeds) {
    const results = compareSeed(options, seed);
    for (const r of results) {
      const list = byPolicy.get(r.policy);
      if (list === undefined) byPolicy.set(r.policy, [r]);
      else list.push(r);
    }
    if (!options.summaryOnly) sections.push(`seed ${seed}`, formatResults(results, options.markdown));
  }
  if (options.seeds.length > 1 || options.summaryOnly) {
    sections.push(`mean over ${options.seeds.length} seed(s)`, formatResults([...byPolicy.values()].map(meanResult), options.markdown));
  }
  return `${sections.join('\n\n')}\n`;
}
