import type { ConfigSnapshot } from '../../core/config/index.js';
import { resolveHintFilePath } from '../../core/hints/index.js';
import { poolLayout } from '../../core/pool/index.js';
import { lockPath, readLockHolder } from '../../core/runtime/index.js';
import { readSpace } from '../../retriever/read-space.js';
import { retrieverSettings } from '../../retriever/settings.js';
import { LTO9_LIBRARY } from '../../tape-model/drive-model.js';
import { checkOverride } from '../check-config-command.js';
import { EXIT, type CliIo } from '../cli-io.js';
import { readCliConfig } from '../cli-config.js';
import { readQueueHints } from '../hint-file.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { scanRecallRequests } from '../request-scan.js';
import { formatPlanJson, formatPlanTable, type PlanContext, type PlanHistorySource } from './format-plan.js';
import { planSessionEnds, readRetrieverHistory } from './plan-history.js';
import { planRetrieverOutlook, type PlanInputs } from './plan-outlook.js';
import { scanInSizes, scanRunningLists } from './plan-pool.js';

export const PLAN_HELP = `Usage: endit plan [--config PATH] [--json]

A dry run of the retriever's next decisions, by its own policy, on what the
pool holds now. Per tape volume: its recall requests (files, bytes, age of
the oldest), whether a session starts now or what it waits for (the list
still filling, space, a free worker), and an estimate of the drive time
reading them costs (LTO-9 model: mount, locate, read, rewind and unload).
Running sessions come first, then the volumes in the order they get drives.
It reads the configuration with the override file, request/, in/ and its
free space, the retriever's running lists, the hint file and the
retriever's session history (<logdir>/tsmretriever-sessions.jsonl and its
last rotated copy); it writes nothing and takes no lock. A volume whose
last session ended less than retriever_mountretention ago is taken as
still mounted, as the retriever reckons it: its session is a follow-on (no
fill wait, no mount in its drive time). Back-off is not in the history.
  --json   the same as JSON
Exit codes: 0 done, 2 configuration or usage error.
`;

/** The configuration in force: the main file with the override file, as the daemons apply it. */
async function effectiveConfig(configOption: string | undefined, io: CliIo): Promise<ConfigSnapshot> {
  const { check, effective } = await checkOverride(readCliConfig(configOption, io).snapshot);
  if (check.kind === 'rejected') io.err(`endit plan: warning: override file ${check.file} rejected (${check.error}); the main configuration is used, as the daemons do\n`);
  return effective;
}

/** Everything the plan needs, read from the pool without changing it. */
async function readPlanInputs(config: ConfigSnapshot, io: CliIo): Promise<{ inputs: PlanInputs; unreadable: number; history: PlanHistorySource }> {
  const { values } = config;
  const pool = poolLayout(values.dir);
  const scan = scanRecallRequests(pool.request, Number.POSITIVE_INFINITY);
  const read = readRetrieverHistory(values.logdir, io);
  const sessionEnds = planSessionEnds(read.records, values['desc-short']);
  const inputs: PlanInputs = {
    nowMs: io.nowMs(),
    settings: retrieverSettings(config),
    recalls: scan.recalls,
    hints: readQueueHints(resolveHintFilePath(values.retriever_hintfile, io.env), 'endit plan', io),
    inSizes: scanInSizes(pool.in),
    running: scanRunningLists(pool.requestlists),
    // in/ is made at the retriever's first start; before that, the pool's filesystem.
    space: await readSpace(pool.in).catch(() => readSpace(pool.dir)).catch(() => null),
    library: LTO9_LIBRARY,
    sessionEnds,
  };
  return { inputs, unreadable: scan.unreadable, history: { file: read.file, found: read.found, sessions: sessionEnds.length } };
}

/** `endit plan`: what the retriever would do now, per volume, as a table or JSON. */
export async function runPlan(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseCommandArgs(argv, { config: { type: 'string' }, json: { type: 'boolean' } });
  const config = await effectiveConfig(options.config, io);
  const { inputs, unreadable, history } = await readPlanInputs(config, io);
  const plan = planRetrieverOutlook(inputs);
  const context: PlanContext = {
    hsm: config.values['desc-short'],
    nowMs: inputs.nowMs,
    retrieverPid: readLockHolder(lockPath(config.values.dir, 'retriever')),
    maxWorkers: inputs.settings.maxWorkers,
    unreadable,
    library: inputs.library,
    history,
    mountRetentionSec: inputs.settings.mountRetentionMs / 1000,
  };
  io.out(options.json === true ? formatPlanJson(plan, context) : formatPlanTable(plan, context));
  return EXIT.ok;
}
