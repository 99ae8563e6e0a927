import path from 'node:path';
import { ConfigError, loadMainConfig, resolveConfigPath, type ConfigValues } from '../core/config/index.js';
import { logDsmcMessages, logDsmcOutputLimits, queryArgs, runDsmc, type DsmcOutcome } from '../core/dsmc/index.js';
import { resolveHintFilePath, writeHintFile } from '../core/hints/index.js';
import { createLogger, type Logger } from '../core/log/index.js';
import { installSignalHandlers, packageVersion, parseProgramArgs, USAGE_EXIT_CODE } from '../core/runtime/index.js';
import { QueryListingParser, type QueryListing } from './listing-parser.js';
import { classifyQueryOutcome } from './outcome.js';
import { errorMessage } from '../core/errors.js';

const PROGRAM = 'endit-tapehints';

/** Per-object warnings (duplicates, expiry) logged one per line up to this many; the rest are counted. */
const MAX_OBJECT_WARNINGS = 1000;

const HELP = `Usage: ${PROGRAM} [--config PATH] [--help] [--version]

Writes the tape hint file (which file is on which tape volume, in what order)
from dsmc query archive -filesonly -detail '<dir>/out/*', then exits.
The file is retriever_hintfile, or $ENDIT_RETRIEVER_HINTFILE when set; it is
replaced atomically, and left as it was when the query fails (exit code 1).

Configuration: --config PATH, else $ENDIT_CONFIG, else /etc/endit/endit.conf.
Log: <logdir>/tsmtapehints.log. Run it from a systemd timer or cron, e.g. daily.
`;

function logMessages(logger: Logger, outcome: DsmcOutcome): void {
  logDsmcMessages(logger, 'dsmc query archive', outcome.messages);
  logDsmcOutputLimits(logger, 'dsmc query archive', outcome);
}

/** The code of every message dsmc printed, kept or not. */
function messageCodes(outcome: DsmcOutcome): string[] {
  return outcome.messageCounts === undefined ? outcome.messages.map((m) => m.code) : [...outcome.messageCounts.keys()];
}

/** Duplicates and expiries, as the Perl tool warned about them, plus what was left out. */
export function reportListing(logger: Logger, listing: QueryListing): void {
  let shown = 0;
  let copies = 0;
  let mismatched = 0;
  for (const [id, duplicate] of listing.duplicates) {
    copies += duplicate.copies;
    if (duplicate.sizeMismatch) mismatched++;
    if (shown++ < MAX_OBJECT_WARNINGS) {
      logger.warn('duplicate_object', `File ${id} has ${duplicate.copies} duplicate${duplicate.copies === 1 ? '' : 's'}${duplicate.sizeMismatch ? ', some with different size' : ''}`);
    }
  }
  if (listing.duplicates.size > 0) {
    logger.warn('duplicate_object', `${listing.duplicates.size} files with total ${copies} duplicates (${mismatched} with a size mismatch)`);
  }
  for (const { id, expiry } of listing.expiring.slice(0, MAX_OBJECT_WARNINGS)) logger.warn('object_expires', `File ${id} will expire on ${expiry}`);
  if (listing.expiring.length > MAX_OBJECT_WARNINGS) logger.warn('object_expires', `${listing.expiring.length - MAX_OBJECT_WARNINGS} more files will expire`);
  if (listing.withoutLocation > 0) logger.warn('no_volume', `${listing.withoutLocation} listed objects had no Volume ID / Restore Order line: no hint for them`);
  if (listing.foreign > 0) logger.info(`${listing.foreign} listed objects are not named <dir>/out/<pnfsid>: ignored`);
}

async function generate(values: ConfigValues, hintFile: string, logger: Logger): Promise<number> {
  const outDir = path.join(values.dir, 'out');
  const parser = new QueryListingParser(outDir);
  const controller = new AbortController();
  const releaseSignals = installSignalHandlers({
    reload: () => logger.info('Got SIGHUP: ignored by this one-shot program'),
    skipDelays: () => undefined,
    stop: (signal) => {
      logger.warn('stopped', `Got ${signal}: killing dsmc, the hint file stays as it was`);
      controller.abort();
    },
  });
  const args = queryArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, outDir);
  logger.debug(`Executing: ${values.dsmc_executable} ${args.join(' ')}`);
  let outcome;
  try {
    outcome = await runDsmc({
      executable: values.dsmc_executable,
      args,
      cpuLimitSec: values.dsmc_cpulimit,
      signal: controller.signal,
      onLine: (line, cls) => parser.push(line, cls),
    });
  } finally {
    releaseSignals();
  }
  const verdict = classifyQueryOutcome(outcome.end, messageCodes(outcome));
  if (verdict.kind === 'failed') {
    logMessages(logger, outcome);
    logger.error('dsmc_failed', `${verdict.reason}: ${hintFile} left as it was`);
    process.stderr.write(`${PROGRAM}: ${verdict.reason}; ${hintFile} left as it was (see the log)\n`);
    return 1;
  }
  const listing = parser.finish();
  if (verdict.kind === 'empty') logger.info('dsmc found no archived files (ANS1092W): writing an empty hint file');
  reportListing(logger, listing);
  logDsmcOutputLimits(logger, 'dsmc query archive', outcome);
  // Atomic, mode 0666 less the umask, as the user chose (the Perl tool did the same).
  await writeHintFile(hintFile, listing.hints);
  const volumes = new Set([...listing.hints.values()].map((h) => h.volid)).size;
  logger.info(`${hintFile} updated (${listing.hints.size} hints on ${volumes} volumes, ${listing.objects} objects listed)`);
  return 0;
}

/** One run: query, parse, write. Returns the exit code. */
export async function runTapehints(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseProgramArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`${PROGRAM}: ${parsed.message} (${PROGRAM} --help lists the options)\n`);
    return USAGE_EXIT_CODE;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${PROGRAM} ${packageVersion()}\n`);
    return 0;
  }
  let values: ConfigValues;
  let warnings: readonly string[];
  try {
    const loaded = loadMainConfig(resolveConfigPath(args.rest, env));
    values = loaded.snapshot.values;
    warnings = loaded.warnings;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return 1;
  }
  let logger: Logger;
  try {
    logger = createLogger({ logName: 'tsmtapehints', logdir: values.logdir, hsm: values['desc-short'], format: values.log_format });
  } catch (error) {
    process.stderr.write(`${PROGRAM}: cannot open log in ${values.logdir}: ${errorMessage(error)}\n`);
    return 1;
  }
  logger.setLevels({ verbose: values.verbose, debug: values.debug });
  try {
    logger.info(`${PROGRAM} ${packageVersion()}: Starting ${values['desc-long']}...`);
    for (const warning of warnings) logger.warn('config_warning', warning);
    const hintFile = resolveHintFilePath(values.retriever_hintfile, env);
    if (hintFile === undefined) {
      logger.error('no_hintfile', 'retriever_hintfile not configured, nothing to do');
      process.stderr.write(`${PROGRAM}: retriever_hintfile not configured (nor ENDIT_RETRIEVER_HINTFILE), nothing to do\n`);
      return 1;
    }
    if (env['ENDIT_RETRIEVER_HINTFILE']) logger.info(`Writing ${hintFile} as ENDIT_RETRIEVER_HINTFILE says`);
    return await generate(values, hintFile, logger);
  } catch (error) {
    logger.error('tapehints_failed', errorMessage(error));
    process.stderr.write(`${PROGRAM}: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    logger.close();
  }
}
