import fs from 'node:fs/promises';
import path from 'node:path';
import type { DaemonBehaviour, DaemonContext } from '../core/runtime/index.js';
import { backoffRemainingMs } from '../core/runtime/index.js';
import { DirIndex, type PoolFile } from '../core/pool/index.js';
import { archiveArgs, describeEnd, writeFileList, type DsmcOutcome } from '../core/dsmc/index.js';
import { decideArchiverCycle, INITIAL_ARCHIVER_STATE, recordArchiveOutcome, type ArchiverState, type PlannedArchiveSession } from './policy.js';
import { archiverSettings } from './settings.js';
import { archiverFigureValues, type ArchiverCounters } from './figures-of.js';

/** While sessions run the loop looks every second (SPEC 5), cheaply: out/ is rescanned only when something changed. */
const BUSY_CYCLE_MS = 1000;
/** Most dsmc message lines logged per failed session; the rest are counted. */
const MAX_LOGGED_MESSAGES = 50;

interface RunningArchive {
  readonly files: readonly PoolFile[];
  readonly description: string;
}

/** Files of a finished session: gone from out/ means on tape; still there means retry. */
async function sortFinishedFiles(outDir: string, files: readonly PoolFile[]): Promise<{ flushed: PoolFile[]; left: PoolFile[] }> {
  const flushed: PoolFile[] = [];
  const left: PoolFile[] = [];
  await Promise.all(
    files.map(async (file) => {
      try {
        await fs.lstat(path.join(outDir, file.name));
        left.push(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') flushed.push(file);
        else left.push(file);
      }
    }),
  );
  return { flushed, left };
}

export function createArchiver(ctx: DaemonContext): DaemonBehaviour {
  const { logger, pool, sessions, config } = ctx;
  const index = new DirIndex(pool.out);
  const running = new Map<number, RunningArchive>();
  const working = new Map<string, PoolFile>();
  const counters: ArchiverCounters = { flushedBytes: 0, flushedFiles: 0, flushRetries: 0 };
  let state: ArchiverState = INITIAL_ARCHIVER_STATE;
  let endedSinceCycle = 0;
  let lastScanMs = -Infinity;
  let mustScan = true;
  let files: PoolFile[] = [];
  let nextSessionId = 1;

  const finishSession = async (id: number, outcome: DsmcOutcome): Promise<void> => {
    const session = running.get(id);
    if (session === undefined) return;
    const { flushed, left } = await sortFinishedFiles(pool.out, session.files);
    running.delete(id);
    for (const file of session.files) working.delete(file.name);
    for (const file of flushed) {
      index.forget(file.name);
      counters.flushedFiles++;
      counters.flushedBytes += file.sizeBytes;
      logger.verbose(`Archived ${file.name} (${file.sizeBytes} bytes)`);
    }
    counters.flushRetries += left.length;
    const clean = outcome.end.kind === 'exited' && outcome.end.exitCode === 0;
    const succeeded = left.length === 0;
    if (!succeeded || !clean) {
      const shown = outcome.messages.slice(0, MAX_LOGGED_MESSAGES);
      for (const message of shown) logger.warn('dsmc_message', `dsmc archive (${session.description}): ${message.text}`);
      if (outcome.messages.length > shown.length) logger.warn('dsmc_message', `dsmc archive (${session.description}): ${outcome.messages.length - shown.length} more messages not shown`);
    }
    if (succeeded) {
      logger.info(`Archive session ${session.description} done: ${flushed.length} files flushed${clean ? '' : ` (dsmc ${describeEnd(outcome.end)})`}`);
    } else if (outcome.end.kind !== 'aborted') {
      logger.warn('dsmc_failed', `Archive session ${session.description} ${describeEnd(outcome.end)}: ${flushed.length} files flushed, ${left.length} left in out/ for retry`);
    }
    if (outcome.end.kind !== 'aborted') state = recordArchiveOutcome(state, succeeded, ctx.nowMs());
    endedSinceCycle++;
    mustScan = true;
    ctx.wake();
  };

  const startSession = async (plan: PlannedArchiveSession): Promise<void> => {
    const values = config.current.values;
    const listFile = await writeFileList(pool.requestlists, 'tsm-archive-files', plan.files.map((f) => path.join(pool.out, f.name)));
    const id = nextSessionId++;
    running.set(id, { files: plan.files, description: plan.description });
    for (const file of plan.files) working.set(file.name, file);
    logger.info(`Starting archive session ${plan.description}: ${plan.files.length} files, ${plan.bytes} bytes (${plan.reason})`);
    const outcomePromise = sessions.run({
      executable: values.dsmc_executable,
      args: archiveArgs({ dsmcopts: values.dsmcopts, displayopts: values.dsmc_displayopts }, plan.description, listFile),
      cpuLimitSec: values.dsmc_cpulimit,
      listFile,
    });
    outcomePromise.then(
      (outcome) => finishSession(id, outcome),
      (error: unknown) => {
        logger.error('dsmc_failed', `archive session ${plan.description}: ${(error as Error).message}`);
        return finishSession(id, { end: { kind: 'spawn-failed', error: String(error) }, messages: [], pid: undefined });
      },
    ).catch((error: unknown) => logger.error('internal_error', `after archive session: ${(error as Error).message}`));
  };

  return {
    async cycle({ skipDelays }) {
      const settings = archiverSettings(config.current.values);
      const nowMs = ctx.nowMs();
      if (mustScan || skipDelays || nowMs - lastScanMs >= settings.sleepMs || nowMs < lastScanMs) {
        files = await index.refresh();
        lastScanMs = nowMs;
        mustScan = false;
      }
      const decision = decideArchiverCycle(settings, state, {
        nowMs,
        files,
        working: new Set(working.keys()),
        runningSessions: running.size,
        endedSessions: endedSinceCycle,
        skipDelays,
      });
      endedSinceCycle = 0;
      state = decision.nextState;
      for (const reason of decision.reasons) logger.debug(`Archiver: ${reason}`);
      for (const plan of decision.sessions) await startSession(plan);
      return running.size > 0 ? BUSY_CYCLE_MS : settings.sleepMs;
    },
    figures() {
      const settings = archiverSettings(config.current.values);
      return archiverFigureValues(counters, {
        files,
        working,
        runningSessions: running.size,
        level: state.level,
        backoffFailures: state.backoff.failures,
        backoffRemainingMs: backoffRemainingMs(state.backoff, ctx.nowMs(), settings.sleepMs, settings.backoffMaxMs),
      });
    },
  };
}
