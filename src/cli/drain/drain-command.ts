// `endit drain`: empty out/, trash/ and trash/queue/ before a migration or a
// decommission: SIGUSR1 to the archiver (flush now) and the deleter (process
// the queue now), then wait until the three are empty or --timeout passes.
import { errorMessage } from '../../core/errors.js';
import { readCliConfig } from '../cli-config.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { decideDrainStep, explainLeftovers, formatDrainProgress, INITIAL_DRAIN_STATE, isEmpty, type DrainSettings, type DrainState, type DrainStop } from './drain-policy.js';
import { scanDrainView, scanLastProblemLine, type DrainDaemon, type DrainView } from './drain-view.js';

export const DRAIN_HELP = `Usage: endit drain [--config PATH] [--timeout SECONDS]

Empties the pool's tape work, for a migration or a decommission: sends SIGUSR1
to the archiver (flush everything in out/ now, whatever the thresholds) and to
the deleter (process the deletion queue now), then waits until out/, trash/
and trash/queue/ are empty, sending SIGUSR1 again when new files arrive. A
terminal shows the progress. At the end it says what is left and why: no
archiver or deleter running, dsmc failing (from the stats files and the log),
deletions held back by volume-aware deletion, names the daemons ignore.
Stop dCache's flushes and removals to the pool first, or it never ends.
  --timeout SECONDS   give up after this long (default 3600)
Exit codes: 0 drained (the three directories are empty), 1 something is left,
2 the configuration cannot be read, or a usage error.
`;

const DEFAULT_TIMEOUT_SEC = 3600;
const POLL_MS = 1000;
const MIN_RESEND_MS = 5000;

function parseTimeoutSec(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_SEC;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--timeout: expected seconds (a number >= 0), got '${text}'`);
  return seconds;
}

const DAEMON_ACTION: Record<DrainDaemon, string> = {
  archiver: 'flush everything in out/ now',
  deleter: 'process the deletion queue now',
};

function sendSignals(daemons: readonly DrainDaemon[], view: DrainView, io: CliIo): void {
  for (const name of daemons) {
    const pid = view[name].pid;
    if (pid === null) continue;
    // On a terminal the message replaces the progress line, which is drawn again at the next poll.
    const clear = io.outIsTty ? '\r\x1b[K' : '';
    try {
      process.kill(pid, 'SIGUSR1');
      io.out(`${clear}Sent SIGUSR1 to endit-${name} (pid ${pid}): ${DAEMON_ACTION[name]}\n`);
    } catch (error) {
      io.err(`${clear}endit drain: cannot signal endit-${name} (pid ${pid}): ${errorMessage(error)}\n`);
    }
  }
}

function report(stop: DrainStop, view: DrainView, timeoutSec: number, io: CliIo): number {
  if (stop === 'drained' && isEmpty(view)) {
    io.out(`Drained: ${view.out.dir}, ${view.trash.dir} and ${view.queue.dir} are empty.\n`);
    return EXIT.ok;
  }
  const heading = { drained: 'Not empty', stuck: 'Not drained: nothing can move what is left', timeout: `Not drained after ${timeoutSec}s` }[stop];
  const lines = explainLeftovers(view, { archiver: scanLastProblemLine(view.archiver.logFile), deleter: scanLastProblemLine(view.deleter.logFile) });
  io.out(`${heading}:\n${lines.map((line) => `  ${line}\n`).join('')}`);
  return EXIT.problem;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function drain(configOption: string | undefined, timeoutSec: number, io: CliIo): Promise<number> {
  const { snapshot } = readCliConfig(configOption, io);
  const values = snapshot.values;
  const startMs = io.nowMs();
  const settings: DrainSettings = { deadlineMs: startMs + timeoutSec * 1000, resendAfterMs: Math.max(2 * values.sleeptime * 1000, MIN_RESEND_MS) };
  let state: DrainState = INITIAL_DRAIN_STATE;
  for (;;) {
    let view: DrainView;
    try {
      view = scanDrainView(values, io.nowMs());
    } catch (error) {
      io.err(`${io.outIsTty ? '\n' : ''}endit drain: ${errorMessage(error)}\n`);
      return EXIT.problem;
    }
    const step = decideDrainStep(view, state, settings);
    if (io.outIsTty) io.out(`\r${formatDrainProgress(view, startMs, timeoutSec)}\x1b[K`);
    if (step.stop !== null) {
      if (io.outIsTty) io.out('\n');
      return report(step.stop, view, timeoutSec, io);
    }
    sendSignals(step.signal, view, io);
    state = step.nextState;
    await sleep(POLL_MS);
  }
}

/** `endit drain`: exit 0 drained, 1 something left. */
export async function runDrain(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs(argv, { config: { type: 'string' }, timeout: { type: 'string' } });
  return drain(values.config, parseTimeoutSec(values.timeout), io);
}
