import { ConfigError, sampleConfigText } from '../core/config/index.js';
import { packageVersion, parseProgramArgs } from '../core/runtime/index.js';
import { CHECK_CONFIG_HELP, runCheckConfig } from './check-config-command.js';
import { EXIT, UsageError, type CliIo } from './cli-io.js';
import { DEMO_HELP, runDemo } from './demo/demo-command.js';
import { DRAIN_HELP, runDrain } from './drain/drain-command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { PERTAPE_HELP, runPertape } from './pertape-command.js';
import { PLAN_HELP, runPlan } from './plan/plan-command.js';
import { runStatus, STATUS_HELP } from './status-command.js';
import { runTapemetrics, TAPEMETRICS_HELP } from './tapemetrics/tapemetrics-command.js';

export const MAIN_HELP = `Usage: endit <command> [options]

Operator command of endit, the dCache pool to IBM Storage Protect (TSM) bridge.

Commands:
  status          table of the daemons from their stats files (--json); exit 0 when all that should run do
  check-config    validate the configuration and the override file, print the effective values
  sample-config   print the commented sample configuration
  pertape         files and bytes per tape volume from the hint file (--queue: pending recalls)
  tapemetrics     WLCG's tape metrics (TapeMetricsJSON, last 24 h per VO) from the session records of one or more hosts
  plan            dry run of the retriever: per volume what starts now or what it waits for, est. drive time (--json)
  drain           flush out/ and process the deletion queue now, wait until they are empty (migration)
  demo            run the three daemons against a fake tape library for a minute and show what happens

Options: --help, --version; "endit <command> --help" for a command's options.
Configuration: --config PATH, else $ENDIT_CONFIG, else /etc/endit/endit.conf.
`;

const SAMPLE_CONFIG_HELP = `Usage: endit sample-config

Prints the commented sample configuration: every key with its description and default.
`;

interface Command {
  readonly help: string;
  run(argv: readonly string[], io: CliIo): number | Promise<number>;
}

function runSampleConfig(argv: readonly string[], io: CliIo): number {
  parseCommandArgs(argv, {});
  io.out(sampleConfigText());
  return EXIT.ok;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  status: { help: STATUS_HELP, run: runStatus },
  'check-config': { help: CHECK_CONFIG_HELP, run: runCheckConfig },
  'sample-config': { help: SAMPLE_CONFIG_HELP, run: runSampleConfig },
  pertape: { help: PERTAPE_HELP, run: runPertape },
  tapemetrics: { help: TAPEMETRICS_HELP, run: runTapemetrics },
  plan: { help: PLAN_HELP, run: runPlan },
  drain: { help: DRAIN_HELP, run: runDrain },
  demo: { help: DEMO_HELP, run: runDemo },
};

async function runCommand(command: Command, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await command.run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`endit: ${error.message}\n${command.help}`);
      return EXIT.config;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(`endit: ${problem}\n`);
      return EXIT.config;
    }
    throw error;
  }
}

/** `endit --config X status` is `endit status --config X`: leading --config options move behind the command. Pure. */
export function planCommandLine(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index] as string;
    if (arg.startsWith('--config=')) leading.push(arg);
    else if (arg === '--config' && index + 1 < argv.length) leading.push(arg, argv[++index] as string);
    else break;
    index++;
  }
  return { name: argv[index], rest: [...argv.slice(index + 1), ...leading] };
}

/** `endit` without a command: --help, --version, or a usage error (exit 2). */
function runWithoutCommand(argv: readonly string[], io: CliIo): number {
  const parsed = parseProgramArgs(argv);
  if (!parsed.ok) {
    io.err(`endit: ${parsed.message} (endit --help lists the commands and options)\n`);
    return EXIT.config;
  }
  if (parsed.args.version) {
    io.out(`endit ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (parsed.args.help) {
    io.out(MAIN_HELP);
    return EXIT.ok;
  }
  io.err(MAIN_HELP);
  return EXIT.config;
}

/** Dispatches `endit <command> ...`; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { name, rest } = planCommandLine(argv);
  if (name === undefined || name.startsWith('-')) return runWithoutCommand(argv, io);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`endit: unknown command '${name}' (endit --help lists the commands)\n`);
    return EXIT.config;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return EXIT.ok;
  }
  return runCommand(command, rest, io);
}
