import { packageVersion } from '../../core/runtime/index.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';
import { parseCommandLine } from '../parse-command-args.js';
import { readHintSizes } from './hint-sizes.js';
import { readSessionFile, scanSessionInputs } from './session-files.js';
import { parseSessionHistoryText, type SessionHistoryRecord } from './session-record.js';
import { aggregateTapeMetrics, buildTapeMetricsJson } from './tape-metrics.js';

export const TAPEMETRICS_HELP = `Usage: endit tapemetrics [--vo HSM=VO]... [--hints [HSM=]FILE]... [--name NAME] [--now TIME] PATH...

WLCG's tape metrics (TapeMetricsJSON) of the last 24 hours, one share per VO,
from the session records of one or more hosts. A PATH is a sessions file, or a
directory: its tsm*-sessions.jsonl files and their rotated copies (.1, .2.gz).
A session counts when it ended in the 24 hours before now. Per VO:
readbytes24h and writebytes24h (bytes of the retriever's and the archiver's
sessions), totalmounts24h (retriever sessions that were no follow-on),
uniquemounts24h (distinct volumes among them), avgtaperemounts (total over
unique; ideal 1.00); with --hints, usedsize and occupiedsize (both the sum of
the hint file's sizes, rounded to decimal GB).
  --vo HSM=VO         the VO of the pool whose desc-short is HSM (repeatable);
                      without one, a pool's VO is its desc-short
  --hints [HSM=]FILE  the hint file of the pool HSM (repeatable); a plain FILE
                      when the records name a single pool
  --name NAME         the storage service's name for WLCG (default SITE-Tape)
  --now TIME          report as of TIME (ISO 8601, e.g. 2025-06-01T00:00:00Z)
Lines that are no session record are skipped, with one warning per file.
Exit codes: 0 done; 1 done, but a path or hint file could not be read (named
on standard error; its figures are missing); 2 usage error.
`;

const DEFAULT_SERVICE_NAME = 'SITE-Tape';

interface HintsOption {
  readonly hsm: string | null;
  readonly file: string;
}

interface TapemetricsRequest {
  readonly paths: readonly string[];
  readonly voByHsm: ReadonlyMap<string, string>;
  readonly hints: readonly HintsOption[];
  readonly name: string;
  readonly nowMs: number;
}

/** `NAME=VALUE` with both parts non-empty, split at the first `=`; null otherwise. */
function splitAssignment(text: string): [string, string] | null {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) return null;
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseVoMappings(values: readonly string[]): Map<string, string> {
  const voByHsm = new Map<string, string>();
  for (const value of values) {
    const pair = splitAssignment(value);
    if (pair === null) throw new UsageError(`--vo: expected HSM=VO, got '${value}'`);
    const known = voByHsm.get(pair[0]);
    if (known !== undefined && known !== pair[1]) throw new UsageError(`--vo: ${pair[0]} given twice, as ${known} and as ${pair[1]}`);
    voByHsm.set(pair[0], pair[1]);
  }
  return voByHsm;
}

/** `HSM=FILE`, or a plain FILE: a `/` before the first `=` makes it a path (`./a=b` for a file named so). */
function parseHintsOption(value: string): HintsOption {
  const pair = splitAssignment(value);
  if (pair === null || pair[0].includes('/')) return { hsm: null, file: value };
  return { hsm: pair[0], file: pair[1] };
}

function parseNowOption(value: string | undefined, io: CliIo): number {
  if (value === undefined) return io.nowMs();
  const nowMs = Date.parse(value);
  if (!Number.isFinite(nowMs)) throw new UsageError(`--now: expected an ISO 8601 time such as 2025-06-01T00:00:00Z, got '${value}'`);
  return nowMs;
}

function parseTapemetricsArgs(argv: readonly string[], io: CliIo): TapemetricsRequest {
  const { values, positionals } = parseCommandLine(argv, {
    vo: { type: 'string', multiple: true },
    hints: { type: 'string', multiple: true },
    name: { type: 'string' },
    now: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('name the sessions files or directories to read');
  return {
    paths: positionals,
    voByHsm: parseVoMappings(values.vo ?? []),
    hints: (values.hints ?? []).map(parseHintsOption),
    name: values.name ?? DEFAULT_SERVICE_NAME,
    nowMs: parseNowOption(values.now, io),
  };
}

interface TapemetricsNotes {
  /** Something named could not be read: its figures are missing (exit 1). */
  readonly problems: string[];
  readonly warnings: string[];
}

function scanSessionHistory(paths: readonly string[], notes: TapemetricsNotes): SessionHistoryRecord[] {
  const scan = scanSessionInputs(paths);
  notes.problems.push(...scan.problems);
  const records: SessionHistoryRecord[] = [];
  for (const file of scan.files) {
    const read = readSessionFile(file);
    if (!read.ok) {
      notes.problems.push(read.error);
      continue;
    }
    const parsed = parseSessionHistoryText(read.text);
    for (const record of parsed.records) records.push(record);
    if (parsed.firstBad !== null) {
      const { lineNumber, reason } = parsed.firstBad;
      notes.warnings.push(`${file}: ${parsed.badLines} lines are no session record, skipped (first: line ${lineNumber}: ${reason})`);
    }
  }
  return records;
}

/** The pool of each hint file; a plain FILE belongs to the one pool the records name. */
function resolveHintPools(hints: readonly HintsOption[], records: readonly SessionHistoryRecord[]): Array<{ hsm: string; file: string }> {
  const hsms = [...new Set(records.map((record) => record.hsm))].sort();
  return hints.map(({ hsm, file }) => {
    if (hsm !== null) return { hsm, file };
    if (hsms.length === 1) return { hsm: hsms[0] as string, file };
    const named = hsms.length === 0 ? 'no pool' : `${hsms.length} pools (${hsms.join(', ')})`;
    throw new UsageError(`--hints ${file}: the session records name ${named}; write --hints HSM=${file}`);
  });
}

function scanUsedBytes(hints: ReadonlyArray<{ hsm: string; file: string }>, notes: TapemetricsNotes): Map<string, number> {
  const usedBytesByHsm = new Map<string, number>();
  for (const { hsm, file } of hints) {
    const read = readHintSizes(file);
    if (!read.ok) {
      notes.problems.push(`${read.error}; no usedsize from it`);
      continue;
    }
    const { bytes, unknownSizeFiles, skipped } = read.sizes;
    usedBytesByHsm.set(hsm, (usedBytesByHsm.get(hsm) ?? 0) + bytes);
    if (unknownSizeFiles > 0) notes.warnings.push(`${file}: ${unknownSizeFiles} entries have no size; usedsize counts them as 0`);
    if (skipped > 0) notes.warnings.push(`${file}: ${skipped} unusable entries skipped`);
  }
  return usedBytesByHsm;
}

/** `endit tapemetrics`: prints the TapeMetricsJSON; exit 0, or 1 when an input could not be read. */
export function runTapemetrics(argv: readonly string[], io: CliIo): number {
  const request = parseTapemetricsArgs(argv, io);
  const notes: TapemetricsNotes = { problems: [], warnings: [] };
  const records = scanSessionHistory(request.paths, notes);
  const usedBytesByHsm = scanUsedBytes(resolveHintPools(request.hints, records), notes);
  const shares = aggregateTapeMetrics({ records, nowMs: request.nowMs, voByHsm: request.voByHsm, usedBytesByHsm });
  const report = buildTapeMetricsJson(shares, { name: request.name, implementationVersion: packageVersion(), nowMs: request.nowMs });
  for (const problem of notes.problems) io.err(`endit tapemetrics: ${problem}\n`);
  for (const warning of notes.warnings) io.err(`endit tapemetrics: warning: ${warning}\n`);
  io.out(`${JSON.stringify(report, null, 2)}\n`);
  return notes.problems.length === 0 ? EXIT.ok : EXIT.problem;
}
