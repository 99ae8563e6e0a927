/**
 * Issue 15 ("SIGUSR1 → queue processed"): a pass starts dsmc before it puts
 * the queued ids in its map of states and before it logs them, so dsmc
 * starts up meanwhile; what the session confirms is marked all the same,
 * whenever dsmc's output comes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMainConfig } from '../../src/core/config/index.js';
import { classifyLine, type DsmcOutcome } from '../../src/core/dsmc/index.js';
import { createLogger, createSessionHistory } from '../../src/core/log/index.js';
import { OddEntryWarnings, preparePool } from '../../src/core/pool/index.js';
import type { SessionRegistry, SessionStart } from '../../src/core/runtime/index.js';
import { formatQueueText } from '../../src/deleter/queue-file.js';
import { runQueuePass, type QueuePassDeps } from '../../src/deleter/queue-pass.js';
import { createVolumeHints } from '../../src/deleter/volume-hints.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-queue-pass-start-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** What the stand-in for dsmc saw when it was started. */
interface StartSeen {
  readonly listed: string[];
  readonly logAtStart: string;
}

/**
 * A pass over `queueFiles` (name → ids) with a stand-in session registry
 * that confirms every listed id gone (ANS1345E) but `refused` (a failure
 * message), from inside run() when `confirmAt` is 'in-run' (before run
 * returns), else a tick later.
 */
async function passWith(queueFiles: Record<string, string[]>, confirmAt: 'in-run' | 'later', refused?: string) {
  const dir = path.join(root, 'pool');
  fs.mkdirSync(dir);
  const pool = preparePool(dir);
  for (const [name, ids] of Object.entries(queueFiles)) fs.writeFileSync(path.join(pool.queue, name), formatQueueText(ids));
  const parsed = parseMainConfig(`desc-short: t\ndesc-long: t\ndir: ${dir}\nlogdir: ${root}\ndsmcopts: -asnode=X\ndsmc_executable: /bin/false\nverbose: 1\n`, 'endit.conf');
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const logger = createLogger({ logName: 'tsmdeleter', logdir: root, hsm: 't', format: 'text' });
  const logText = (): string => fs.readFileSync(path.join(root, 'tsmdeleter.log'), 'utf8');
  const seen: StartSeen[] = [];
  const sessions = {
    run(start: SessionStart): Promise<DsmcOutcome> {
      const listed = fs.readFileSync(start.listFile, 'utf8').split('\n').filter((line) => line !== '');
      seen.push({ listed, logAtStart: logText() });
      const confirm = (): DsmcOutcome => {
        for (const file of listed) {
          const line = path.basename(file) === refused ? `ANS1228E Sending of object '${file}' failed.` : `ANS1345E No objects on server match '${file}'`;
          start.onLine?.(line, classifyLine(line));
        }
        return { end: { kind: 'exited', exitCode: 8 }, messages: [], pid: 4242 } as unknown as DsmcOutcome;
      };
      if (confirmAt === 'in-run') return Promise.resolve(confirm());
      return new Promise((resolve) => setImmediate(() => resolve(confirm())));
    },
  } as unknown as SessionRegistry;
  const deps: QueuePassDeps = {
    pool,
    logger,
    sessions,
    history: createSessionHistory({ daemon: 'deleter', logName: 'tsmdeleter', logdir: root, hsm: 't', logger }),
    hints: createVolumeHints(logger),
    values: () => parsed.snapshot.values,
    isStopping: () => false,
    oddQueueEntries: new OddEntryWarnings(pool.queue, () => {}),
  };
  const result = await runQueuePass(deps, new Map(), { reason: 'test', nowMs: () => Date.now(), onSessionEnd: () => {} });
  return { result, seen, log: logText(), pool };
}

describe('a deletion pass starts dsmc first (issue 15)', () => {
  it('dsmc is started before the ids are logged; every id it confirms is marked, and the queue file goes', async () => {
    const ids = [id(1), id(2), id(3)];
    const { result, seen, log, pool } = await passWith({ '1700000000': ids }, 'later');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.listed.map((line) => path.basename(line))).toEqual(ids);
    expect(seen[0]?.logAtStart).toContain('Trying to delete 3 files');
    expect(seen[0]?.logAtStart).not.toContain('Deleting:');
    expect(log).toContain(`Deleting: ${ids.join(' ')}`);
    expect(result).toMatchObject({ kind: 'done', verdict: 'all-confirmed', sent: 3, deleted: 3, failed: 0 });
    expect(fs.readdirSync(pool.queue)).toEqual([]);
  });

  it('output read before run() returns (a registry that calls back at once) is marked too', async () => {
    const ids = [id(7), id(8)];
    const { result } = await passWith({ '1700000000': ids }, 'in-run');
    expect(result).toMatchObject({ kind: 'done', verdict: 'all-confirmed', deleted: 2, failed: 0 });
  });

  it.each(['in-run', 'later'] as const)('an id dsmc did not confirm stays queued, the others do not (output %s)', async (confirmAt) => {
    const ids = [id(4), id(5), id(6)];
    const { result, pool } = await passWith({ '1700000000': ids }, confirmAt, id(5));
    expect(result).toMatchObject({ kind: 'done', verdict: 'failed', sent: 3, deleted: 2, failed: 1 });
    const left = fs.readdirSync(pool.queue).map((name) => JSON.parse(fs.readFileSync(path.join(pool.queue, name), 'utf8')) as string[]);
    expect(left).toEqual([[id(5)]]);
  });

  it('an id in two queue files (a crash between queueing and removal) is sent once', async () => {
    const { result, seen } = await passWith({ '1700000000': [id(1), id(2)], '1700000060': [id(2), id(3)] }, 'later');
    expect(seen[0]?.listed.map((line) => path.basename(line))).toEqual([id(1), id(2), id(3)]);
    expect(result).toMatchObject({ kind: 'done', sent: 3, deleted: 3, failed: 0 });
  });
});
