import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { backoffRemainingMs } from '../core/runtime/index.js';
import { CompactNameSet, DirIndex, type DirChanges, type PoolFile } from '../core/pool/index.js';
import type { ConfigSnapshot } from '../core/config/index.js';
import { archiveArgs, describeEnd, logDsmcMessages, type DsmcOutcome } from '../core/dsmc/index.js';
import { writeArchiveList } from './archive-list.js';
import { decideArchiverCycle, INITIAL_ARCHIVER_STATE, recordArchiveOutcome, type ArchiverDecision, type ArchiverState, type PlannedArchiveSession } from './policy.js';
import { archiverSettings } from './settings.js';
import { archiverFigureValues, type ArchiverCounters } from './figures-of.js';
import { classifyFinishedFiles, decideCycleWork, type CycleWorkView } from './cycle-work.js';
import { errorMessage } from '../core/errors.js';

/**
 * While sessions run the loop looks every second (SPEC 5), cheaply: out/ is
 * listed only every sleeptime (and not even then when its mtime shows no
 * change), and the policy runs only when something changed or a timer is due.
 */
const BUSY_CYCLE_MS = 1000;

interface RunningArchive {
  readonly files: readonly PoolFile[];
  readonly bytes: number;
  readonly description: string;
}

interface EndedArchive {
  readonly session: RunningArchive;
  readonly outcome: DsmcOutcome;
}

export function createArchiver(ctx: DaemonContext): DaemonBehaviour {
  const { logger, pool, sessions, config } = ctx;
  const index = new DirIndex(pool.out);
  const running = new Map<number, RunningArchive>();
  /** Names in the lists of running sessions (a compact set: a million names in a JS Set cost twice the memory). */
  const working = new CompactNameSet();
  const ended: EndedArchive[] = [];
  const counters: ArchiverCounters = { flushedBytes: 0, flushedFiles: 0, flushRetries: 0 };
  let state: ArchiverState = INITIAL_ARCHIVER_STATE;
  let workingBytes = 0;
  /** Files in out/ in no running session's list, kept up to date as files and sessions come and go. */
  let pendingFiles = 0;
  let pendingBytes = 0;
  /** The index as the policy last saw it; taken again only when the policy runs after a change. */
  let files: readonly PoolFile[] = [];
  let filesStale = true;
  let nextSessionId = 1;
  let lastScanMs = -Infinity;
  let lastDecisionMs = -Infinity;
  let recheckAtMs: number | null = null;
  let lastConfig: ConfigSnapshot | undefined;
  /** The world changed since the policy last looked. */
  let changed = true;

  /** Files of a finished session: gone from out/ (per the listing just made) means on tape; still there means retry. */
  const accountEnded = ({ session, outcome }: EndedArchive): void => {
    const { flushed, left } = classifyFinishedFiles(session.files, (name) => index.get(name) !== undefined);
    for (const file of session.files) working.delete(file.name);
    workingBytes -= session.bytes;
    for (const file of left) {
      pendingFiles++;
      pendingBytes += file.sizeBytes;
    }
    for (const file of flushed) {
      counters.flushedFiles++;
      counters.flushedBytes += file.sizeBytes;
      logger.verbose(`Archived ${file.name} (${file.sizeBytes} bytes)`);
    }
    counters.flushRetries += left.length;
    const clean = outcome.end.kind === 'exited' && outcome.end.exitCode === 0;
    const succeeded = left.length === 0;
    if (!succeeded || !clean) {
      logDsmcMessages(logger, `dsmc archive (${session.description})`, outcome.messages);
    }
    if (succeeded) {
      logger.info(`Archive session ${session.description} done: ${flushed.length} files flushed${clean ? '' : ` (dsmc ${describeEnd(outcome.end)})`}`);
    } else if (outcome.end.kind !== 'aborted') {
      logger.warn('dsmc_failed', `Archive session ${session.description} ${describeEnd(outcome.end)}: ${flushed.length} files flushed, ${left.length} left in out/ for retry`);
    }
    if (outcome.end.kind !== 'aborted') state = recordArchiveOutcome(state, succeeded, ctx.nowMs());
    changed = true;
  };

  const finishSession = (id: number, outcome: DsmcOutcome): void => {
    const session = running.get(id);
    if (session === undefined) return;
    running.delete(id);
    ended.push({ session, outcome });
    ctx.wake();
  };

  const startSession = async (plan: PlannedArchiveSession): Promise<void> => {
    const values = config.current.values;
    const listFile = await writeArchiveList(pool.requestlists, 'tsm-archive-files', pool.out, plan.files);
    const id = nextSessionId++;
    running.set(id, { files: plan.files, bytes: plan.bytes, description: plan.description });
    logger.info(`Starting archive session ${plan.description}: ${plan.files.length} files, ${plan.bytes} bytes (${plan.reason})`);
    const outcomePromise = sessions.run({
      executable: values.dsmc_executable,
      args: archiveArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, plan.description, listFile),
      cpuLimitSec: values.dsmc_cpulimit,
      listFile,
    });
    // dsmc is spawned already (run() spawns synchronously); a million names take a moment to note.
    for (const file of plan.files) working.add(file.name);
    workingBytes += plan.bytes;
    pendingFiles -= plan.files.length;
    pendingBytes -= plan.bytes;
    outcomePromise.then(
      (outcome) => finishSession(id, outcome),
      (error: unknown) => {
        logger.error('dsmc_failed', `archive session ${plan.description}: ${errorMessage(error)}`);
        finishSession(id, { end: { kind: 'spawn-failed', error: String(error) }, messages: [], pid: undefined });
      },
    ).catch((error: unknown) => logger.error('internal_error', `after archive session: ${errorMessage(error)}`));
  };

  /** Brings the pending totals up to date with what a listing found; says whether the policy should look. */
  const applyChanges = (changes: DirChanges): boolean => {
    for (const file of changes.added) {
      if (working.has(file.name)) continue; // gone and back while its session runs
      pendingFiles++;
      pendingBytes += file.sizeBytes;
    }
    let pendingRemoved = 0;
    for (const file of changes.removed) {
      if (working.has(file.name)) continue; // flushed by its session: usage falls, nothing else changes
      pendingFiles--;
      pendingBytes -= file.sizeBytes;
      pendingRemoved++;
    }
    if (changes.added.length > 0 || changes.removed.length > 0) filesStale = true;
    return changes.added.length > 0 || pendingRemoved > 0;
  };

  const decide = async (settings: ReturnType<typeof archiverSettings>, nowMs: number, skipDelays: boolean, endedSessions: number): Promise<void> => {
    if (filesStale) {
      files = index.snapshot();
      filesStale = false;
    }
    const decision: ArchiverDecision = decideArchiverCycle(settings, state, {
      nowMs,
      files,
      working,
      runningSessions: running.size,
      endedSessions,
      skipDelays,
    });
    state = decision.nextState;
    lastDecisionMs = nowMs;
    recheckAtMs = decision.recheckAtMs;
    changed = false;
    for (const reason of decision.reasons) logger.debug(`Archiver: ${reason}`);
    try {
      for (const plan of decision.sessions) await startSession(plan);
    } catch (error) {
      changed = true; // a session that could not start (e.g. its list not written): decide again next cycle
      throw error;
    }
  };

  return {
    async cycle({ skipDelays }) {
      const current = config.current;
      const settings = archiverSettings(current);
      const nowMs = ctx.nowMs();
      const endedNow = ended.splice(0);
      const view: CycleWorkView = {
        nowMs,
        sleepMs: settings.sleepMs,
        lastScanMs,
        lastDecisionMs,
        recheckAtMs,
        changed: changed || current !== lastConfig,
        sessionsEnded: endedNow.length,
        skipDelays,
      };
      lastConfig = current;
      const work = decideCycleWork(view);
      if (work.scan !== 'none') {
        let changes: DirChanges;
        try {
          changes = await index.update({ force: work.scan === 'full' });
        } catch (error) {
          ended.unshift(...endedNow); // accounted once out/ can be listed again
          throw error;
        }
        lastScanMs = nowMs;
        if (applyChanges(changes)) changed = true;
      }
      for (const session of endedNow) accountEnded(session);
      if (work.decide || changed) await decide(settings, nowMs, skipDelays, endedNow.length);
      return running.size > 0 ? BUSY_CYCLE_MS : settings.sleepMs;
    },
    figures() {
      const settings = archiverSettings(config.current);
      return archiverFigureValues(counters, {
        totals: { usageFiles: index.size, usageBytes: index.totalBytes, pendingFiles, pendingBytes },
        workingFiles: working.size,
        workingBytes,
        runningSessions: running.size,
        level: state.level,
        backoffFailures: state.backoff.failures,
        backoffRemainingMs: backoffRemainingMs(state.backoff, ctx.nowMs(), settings.sleepMs, settings.backoffMaxMs),
      });
    },
  };
}
