import { describe, expect, it } from 'vitest';
import type { LockCheck } from '../../../src/core/runtime/instance-lock.js';
import { guardWithLock } from '../../../src/core/runtime/lock-guard.js';

const FILE = '/grid/pool/.endit-archiver.lock';

function run(checks: LockCheck[]): { verdicts: string[]; lines: string[] } {
  const lines: string[] = [];
  const queue = [...checks];
  const guard = guardWithLock(
    { file: FILE, check: () => queue.shift() ?? { kind: 'held' }, release: () => {} },
    { warn: (code, msg) => lines.push(`warn [${code}] ${msg}`), error: (code, msg) => lines.push(`error [${code}] ${msg}`) },
  );
  return { verdicts: checks.map(() => guard()), lines };
}

describe('fault 7: the lock guard before each cycle', () => {
  it('runs while the lock is held, silently', () => {
    expect(run([{ kind: 'held' }, { kind: 'held' }])).toEqual({ verdicts: ['run', 'run'], lines: [] });
  });

  it('runs on after taking a removed lock back, with a warning', () => {
    expect(run([{ kind: 'retaken', why: 'removed' }])).toEqual({
      verdicts: ['run'],
      lines: [`warn [lock_lost] ${FILE} was removed (pool directory made again?): taken again`],
    });
  });

  it('skips cycles while the lock cannot be taken back, warning once per reason', () => {
    const missing: LockCheck = { kind: 'unavailable', reason: 'ENOENT: no such file or directory' };
    expect(run([missing, missing, { kind: 'retaken', why: 'removed' }, missing])).toEqual({
      verdicts: ['skip', 'skip', 'run', 'skip'],
      lines: [
        `warn [lock_lost] ${FILE} is gone and cannot be taken again (ENOENT: no such file or directory): no new cycles until it can`,
        `warn [lock_lost] ${FILE} was removed (pool directory made again?): taken again`,
        `warn [lock_lost] ${FILE} is gone and cannot be taken again (ENOENT: no such file or directory): no new cycles until it can`,
      ],
    });
  });

  it('stops when another live process holds the lock now', () => {
    expect(run([{ kind: 'lost', holderPid: 4242 }])).toEqual({
      verdicts: ['stop'],
      lines: [`error [lock_lost] ${FILE} is held by pid 4242 now (pool directory made again?): stopping, the pool is that process's`],
    });
  });
});
