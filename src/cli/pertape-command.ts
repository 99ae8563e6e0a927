import { poolLayout } from '../core/pool/index.js';
import { EXIT, type CliIo } from './cli-io.js';
import { resolveHintFilePath } from '../core/hints/index.js';
import { readCliConfig } from './cli-config.js';
import { formatHintVolumes, formatVolumeQueues, type PertapeFormat } from './format-pertape.js';
import { readHintFile, readQueueHints } from './hint-file.js';
import { groupRecallsByVolume, summarizeHintVolumes } from './per-volume.js';
import { choiceOption, parseCommandArgs } from './parse-command-args.js';
import { scanRecallRequests } from './request-scan.js';

const FORMATS: readonly PertapeFormat[] = ['table', 'json', 'ids'];

export const PERTAPE_HELP = `Usage: endit pertape [--config PATH] [--queue] [--format table|json|ids]

Files and bytes per tape volume from the hint file (retriever_hintfile, or
$ENDIT_RETRIEVER_HINTFILE), volumes by name.
  --queue    pending recalls per volume instead (request/ files with action
             recall, grouped by their hint volume, "default" without one),
             most waiting bytes first
  --format   table (default), json, or ids: one line per volume,
             "<volume> <id> <id> ...", ids in tape order
Exit codes: 0 done, 1 hint file missing or unreadable, 2 configuration or usage error.
`;

interface PertapeRequest {
  readonly config: string | undefined;
  readonly queue: boolean;
  readonly format: PertapeFormat;
}

function parsePertapeArgs(argv: readonly string[]): PertapeRequest {
  const values = parseCommandArgs(argv, { config: { type: 'string' }, queue: { type: 'boolean' }, format: { type: 'string' } });
  return { config: values.config, queue: values.queue ?? false, format: choiceOption('format', values.format, FORMATS, 'table') };
}

function runHintVolumes(request: PertapeRequest, io: CliIo): number {
  const configured = io.env['ENDIT_RETRIEVER_HINTFILE'] ? undefined : readCliConfig(request.config, io).snapshot.values.retriever_hintfile;
  const file = resolveHintFilePath(configured, io.env);
  if (file === undefined) {
    io.err('endit pertape: no hint file: set retriever_hintfile in the configuration or $ENDIT_RETRIEVER_HINTFILE\n');
    return EXIT.problem;
  }
  const read = readHintFile(file);
  if (!read.ok) {
    io.err(`endit pertape: ${read.error}\n`);
    return EXIT.problem;
  }
  if (read.skipped > 0) io.err(`endit pertape: warning: ${file}: ${read.skipped} unusable entries skipped\n`);
  io.out(formatHintVolumes(summarizeHintVolumes(read.hints), request.format, file));
  return EXIT.ok;
}

function runQueue(request: PertapeRequest, io: CliIo): number {
  const values = readCliConfig(request.config, io).snapshot.values;
  const hints = readQueueHints(resolveHintFilePath(values.retriever_hintfile, io.env), 'endit pertape', io);
  const scan = scanRecallRequests(poolLayout(values.dir).request, Number.POSITIVE_INFINITY);
  io.out(formatVolumeQueues(groupRecallsByVolume(scan.recalls, hints), request.format, io.nowMs(), scan.unreadable));
  return EXIT.ok;
}

/** `endit pertape`: per-volume files from the hint file, or with --queue the pending recalls. */
export function runPertape(argv: readonly string[], io: CliIo): number {
  const request = parsePertapeArgs(argv);
  return request.queue ? runQueue(request, io) : runHintVolumes(request, io);
}
