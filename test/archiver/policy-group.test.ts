import { describe, expect, it } from 'vitest';
import { decideArchiverCycle, INITIAL_ARCHIVER_STATE, type ArchiverView } from '../../src/archiver/policy.js';
import { PoolFiles, type PoolFile } from '../../src/core/pool/index.js';
import { GIB } from '../../src/core/units.js';
import { ARCHIVER_TEST_SETTINGS } from './test-settings.js';

const settings = ARCHIVER_TEST_SETTINGS;
const T0 = 1_700_000_000_000;

function files(count: number, gib: number, mtimeMs = T0 - 1000): PoolFile[] {
  return Array.from({ length: count }, (_, i) => ({ name: `F${String(i).padStart(5, '0')}`, sizeBytes: gib * GIB, mtimeMs: mtimeMs + i * 1000 }));
}

/** A view whose files are given as objects (the policy takes them as columns). */
function view(over: Omit<Partial<ArchiverView>, 'files'> & { readonly files?: readonly PoolFile[] }): ArchiverView {
  const { files: given = [], ...rest } = over;
  return { nowMs: T0, working: new Set(), held: new Set(), runningSessions: 0, endedSessions: 0, skipDelays: false, ...rest, files: PoolFiles.of(given) };
}

describe('archiver policy in a coordination group (issue 12)', () => {
  it('starts the sessions its level wants when the group has them free', () => {
    expect(decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(35, 1), groupSlots: 4 })).sessions).toHaveLength(3);
  });

  it('starts no more than the group has free; the rest follow when sessions free up', () => {
    const d = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(35, 1), groupSlots: 1 }));
    expect(d.sessions).toHaveLength(1);
    expect(d.nextState.level).toBe(3);
  });

  it('with none free: waits, keeping the wait timer, even at the timeout and on SIGUSR1', () => {
    const waiting = { ...INITIAL_ARCHIVER_STATE, waitStartMs: T0 - 7_200_000 };
    for (const over of [{ files: files(35, 1) }, { files: files(1, 1, T0 - 7_200_000) }, { files: files(1, 1), skipDelays: true }]) {
      const d = decideArchiverCycle(settings, waiting, view({ ...over, groupSlots: 0 }));
      expect(d.sessions).toEqual([]);
      expect(d.nextState.waitStartMs).toBe(T0 - 7_200_000);
      expect(d.reasons.at(-1)).toMatch(/^no session free in the group budget/);
    }
  });

  it('a flush past its threshold starts as soon as one session is free', () => {
    const full = decideArchiverCycle(settings, INITIAL_ARCHIVER_STATE, view({ files: files(15, 1), groupSlots: 0 }));
    expect(full.sessions).toEqual([]);
    expect(decideArchiverCycle(settings, full.nextState, view({ files: files(15, 1), groupSlots: 1 })).sessions).toHaveLength(1);
  });
});
