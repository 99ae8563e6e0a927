/**
 * What `npm run bench:tape` prints: per seed the simulator's rows and the
 * real run's in one table (the simulator's columns, computed the same
 * way), a line on the real run, the targets met or missed; then the mean
 * over the seeds. Pure.
 */
import { formatResults, meanResult } from '../../tape-model/compare-report.js';
import type { SimResult } from '../../tape-model/simulate.js';
import { formatBytes } from '../../core/units.js';
import type { TapeSeedResult } from './tape-bench.js';
import { combineVerdicts, decideTapeTargets, type TargetVerdict, type WaitFigures } from './tape-targets.js';

function formatVerdicts(verdicts: readonly TargetVerdict[], markdown: boolean): string {
  if (markdown) {
    const rows = verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'met' : '**missed**'} |`);
    return ['| target (endit-retriever) | measured | |', '|---|---|---|', ...rows].join('\n');
  }
  const width = Math.max(...verdicts.map((v) => v.target.length));
  return verdicts.map((v) => `  ${v.met ? 'met   ' : 'MISSED'}  ${v.target.padEnd(width)}  ${v.measured}`).join('\n');
}

/** dsmc start-up, which compressed time magnifies: median and max, real and simulated. */
function formatStartDelays(delaysMs: readonly number[], timeScale: number): string {
  if (delaysMs.length === 0) return 'dsmc start-up not measured';
  const sorted = [...delaysMs].sort((a, b) => a - b);
  const medianMs = sorted[(sorted.length - 1) >> 1] as number;
  const maxMs = sorted[sorted.length - 1] as number;
  const both = (ms: number): string => `${(ms / 1000).toFixed(2)} s (${Math.round(ms / 1000 / timeScale)} s simulated)`;
  // The fake dates a session's first mount at its process's start: this start-up is shown, not charged as drive time.
  return `dsmc start-up median ${both(medianMs)}, max ${both(maxMs)} (not drive time: the first mount is dated at the process start)`;
}

/** One line on what the real run did beyond the table. */
export function formatRealRunLine(r: TapeSeedResult): string {
  const { real } = r;
  const s = real.summary;
  const parts = [
    `${s.delivered} of ${r.recalls} recalls delivered${real.failedRecalls > 0 ? `, ${real.failedRecalls} failed` : ''}`,
    `${s.dsmcSessions} dsmc sessions${s.dsmcSessionsLost > 0 ? ` (${s.dsmcSessionsLost} without an end: killed)` : ''}`,
    `${real.emergencyKills} emergency kills`,
    `longest wait for a drive ${Math.round(r.waits.maxWaitSec)} s (bound ${Math.round(r.waits.boundSec)} s)`,
  ];
  parts.push(formatStartDelays(real.startDelaysMs, r.timeScale));
  if (r.shiftedFiles > 0) parts.push(`${r.shiftedFiles} traced file(s) moved on tape past one they overlapped, by at most ${formatBytes(r.maxShiftBytes)}`);
  parts.push(`${real.wallSec.toFixed(0)} s wall`);
  return `${real.timedOut ? 'TIMED OUT: ' : ''}endit-retriever (fake drives): ${parts.join('; ')}`;
}

export function formatSeedSection(r: TapeSeedResult, markdown: boolean): string {
  const title = `seed ${r.seed}: ${r.recalls} recalls on ${r.volumes} volumes`;
  return [markdown ? `#### ${title}` : title, formatResults([...r.sims, r.real.summary.result], markdown), formatRealRunLine(r), formatVerdicts(r.verdicts, markdown)].join('\n\n');
}

/** The seed whose longest wait came closest to (or went furthest past) its bound. */
function worstWaits(results: readonly TapeSeedResult[]): WaitFigures {
  let worst: WaitFigures = { maxWaitSec: 0, boundSec: Infinity };
  for (const r of results) if (r.waits.maxWaitSec - r.waits.boundSec > worst.maxWaitSec - worst.boundSec) worst = r.waits;
  return worst;
}

/** The mean of each row over the seeds, and the targets judged on the means (waits: the worst seed; kills: all). */
export function formatTapeSummary(results: readonly TapeSeedResult[], markdown: boolean): string {
  const rowCount = (results[0]?.sims.length ?? 0) + 1;
  const rows: SimResult[] = [];
  for (let i = 0; i < rowCount; i++) rows.push(meanResult(results.map((r) => [...r.sims, r.real.summary.result][i] as SimResult)));
  const [enditRules, today] = rows as [SimResult, SimResult];
  const run = rows[rows.length - 1] as SimResult;
  const kills = results.reduce((sum, r) => sum + r.real.emergencyKills, 0);
  const onMeans = decideTapeTargets({ run, today, enditRules, waits: worstWaits(results), emergencyKills: kills });
  const verdicts = combineVerdicts(onMeans, results.map((r) => r.verdicts));
  const title = `mean over ${results.length} seed(s)`;
  return [markdown ? `#### ${title}` : title, formatResults(rows, markdown), formatVerdicts(verdicts, markdown)].join('\n\n');
}

export interface TapeHeader {
  readonly drives: number;
  readonly recalls: number;
  readonly volumes: number;
  readonly timeScale: number;
  readonly byteScale: number;
  readonly deviations: readonly string[];
}

export function formatTapeHeader(h: TapeHeader): string {
  const lines = [
    `LTO-9 model, ${h.drives} drives (retriever_maxworkers ${h.drives}); ${h.recalls} recalls on ${h.volumes} volumes per trace; retriever defaults`,
    `real run: time scale ${Number(h.timeScale.toPrecision(4))} (a simulated second in ${Number((h.timeScale * 1000).toPrecision(4))} ms), bytes scaled by ${h.byteScale} with the read rate (drive times unchanged)`,
  ];
  if (h.deviations.length > 0) lines.push(`keys rounded to whole real seconds, played so by every row: ${h.deviations.join(', ')}`);
  return lines.join('\n');
}
