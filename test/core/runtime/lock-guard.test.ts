import { describe, expect, it } from 'vitest';
import type { LockCheck } from '../../../src/core/runtime/instance-lock.js';
import { guardWithLock } from '../../../src/core/runtime/lock-guard.js';

const FILE = '/grid/pool/.endit-archiver.lock';

function run(checks: LockCheck[], remakePool: () => void = () => {}): { verdicts: string[]; lines: string[] } {
  const lines: string[] = [];
  const queue = [...checks];
  const guard = guardWithLock(
    { file: FILE, check: () => queue.shift() ?? { kind: 'held' }, release: () => {} },
    { warn: (code, msg) => lines.push(`warn [${code}] ${msg}`), error: (code, msg) => lines.push(`error [${code}] ${msg}`) },
    remakePool,
  );
  return { verdicts: checks.map(() => guard()), lines };
}

describe('fault 7: the lock guard before each cycle', () => {
  it('runs while the lock is held, silently', () => {
    expect(run([{ kind: 'held' }, { kind: 'held' }])).toEqual({ verdicts: ['run', 'run'], lines: [] });
  });

  it('runs on after taking a removed lock back and making the pool subdirectories again, with a warning', () => {
    let remade = 0;
    expect(run([{ kind: 'retaken', why: 'removed' }], () => remade++)).toEqual({
      verdicts: ['run'],
      lines: [`warn [lock_lost] ${FILE} was removed (pool directory made again?): taken again`],
    });
    expect(remade).toBe(1);
  });

  it('says so when the subdirectories cannot be made', () => {
    const failing = (): void => {
      throw new Error('/grid/pool/out: cannot create: EACCES');
    };
    expect(run([{ kind: 'retaken', why: 'replaced' }], failing).lines).toEqual([
      `warn [lock_lost] ${FILE} was replaced by a stale lock: taken again; /grid/pool/out: cannot create: EACCES`,
    ]);
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
