import { errorMessage } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { CycleGuard } from './cycle-loop.js';
import type { InstanceLock } from './instance-lock.js';

/**
 * The cycle guard of a daemon: its lock is looked at before each cycle. A
 * lock removed (the pool directory made again) is taken back with a warning;
 * one another live process holds now ends the loop, since two daemons of one
 * kind must never run sessions on one pool; one that cannot be taken back
 * yet skips cycles until it can. After taking it back, `remakePool` makes
 * the pool's subdirectories again, as a start would.
 */
export function guardWithLock(lock: InstanceLock, logger: Pick<Logger, 'warn' | 'error'>, remakePool: () => void): () => CycleGuard {
  let lastProblem = '';
  return () => {
    const check = lock.check();
    if (check.kind === 'unavailable') {
      const message = `${lock.file} is gone and cannot be taken again (${check.reason}): no new cycles until it can`;
      if (message !== lastProblem) logger.warn('lock_lost', message);
      lastProblem = message;
      return 'skip';
    }
    lastProblem = '';
    if (check.kind === 'held') return 'run';
    if (check.kind === 'retaken') {
      logger.warn('lock_lost', `${lock.file} was ${check.why === 'removed' ? 'removed (pool directory made again?)' : 'replaced by a stale lock'}: taken again${remakeProblem(remakePool)}`);
      return 'run';
    }
    logger.error('lock_lost', `${lock.file} is held by pid ${check.holderPid} now (pool directory made again?): stopping, the pool is that process's`);
    return 'stop';
  };
}

function remakeProblem(remakePool: () => void): string {
  try {
    remakePool();
    return '';
  } catch (error) {
    return `; ${errorMessage(error)}`;
  }
}
