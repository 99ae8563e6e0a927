import { describe, expect, it } from 'vitest';
import { classifyEndedFiles, decideCycleWork, ENDED_FLUSHED, ENDED_LEFT, ENDED_SENT_STILL_IN_OUT, NOT_REMOVED_MARK, SENT_MARK, type CycleWorkView } from '../../src/archiver/cycle-work.js';
import { PoolFiles } from '../../src/core/pool/index.js';

const T0 = 1_700_000_000_000;

function view(over: Partial<CycleWorkView>): CycleWorkView {
  return {
    nowMs: T0,
    sleepMs: 60_000,
    lastScanMs: T0 - 1000,
    lastListingTookMs: 100,
    lastDecisionMs: T0 - 1000,
    recheckAtMs: null,
    changed: false,
    sessionsEnded: 0,
    skipDelays: false,
    listingPending: false,
    ...over,
  };
}

describe('decideCycleWork', () => {
  it.each<[string, Partial<CycleWorkView>, 'full' | 'changed' | 'none', boolean]>([
    ['a quiet second while sessions run: nothing at all', {}, 'none', false],
    ['the first cycle lists and decides', { lastScanMs: -Infinity, lastDecisionMs: -Infinity }, 'full', true],
    ['a session ended: list out/ to see its files gone, and decide', { sessionsEnded: 1 }, 'full', true],
    ['SIGUSR1: list and decide now', { skipDelays: true }, 'full', true],
    ['sleeptime passed: list if out/ changed', { lastScanMs: T0 - 60_000 }, 'changed', false],
    ['sessions started last cycle: decide again, no listing', { changed: true }, 'none', true],
    ['a wait timer is due', { recheckAtMs: T0 }, 'none', true],
    ['a wait timer is not due yet', { recheckAtMs: T0 + 1 }, 'none', false],
    ['the clock went backwards: look again', { lastScanMs: T0 + 5000, lastDecisionMs: T0 + 5000 }, 'changed', true],
    ['item 4: a listing is under way: it goes on, and the policy looks at what it found', { listingPending: true }, 'full', true],
    ['item 4: SIGUSR1 during a listing: act on what it found first, no listing this cycle', { listingPending: true, skipDelays: true }, 'none', true],
    ['item 4: a session ended during a listing: the listing goes on', { listingPending: true, sessionsEnded: 1 }, 'full', true],
    ['the last listing took 45 s (ten million names): sleeptime is not enough', { lastScanMs: T0 - 60_000, lastListingTookMs: 45_000 }, 'none', false],
    ['the last listing took 45 s: ten times that has passed', { lastScanMs: T0 - 450_000, lastListingTookMs: 45_000 }, 'changed', false],
    ['the last listing took 45 s, but a session ended: its files are looked for now', { lastScanMs: T0 - 60_000, lastListingTookMs: 45_000, sessionsEnded: 1 }, 'full', true],
    ['the last listing took 5 s: sleeptime (60 s) is the longer', { lastScanMs: T0 - 60_000, lastListingTookMs: 5000 }, 'changed', false],
  ])('%s', (_what, over, scan, decide) => {
    expect(decideCycleWork(view(over))).toEqual({ scan, decide });
  });
});

describe('classifyEndedFiles', () => {
  const files = PoolFiles.of(['A', 'B', 'C'].map((name) => ({ name, sizeBytes: 1, mtimeMs: T0 })));

  it('files gone from out/ were flushed, files still there are left for a retry (one class per file, in list order)', () => {
    const classes = classifyEndedFiles(files, { stillInOut: (name) => name === 'B', marksOf: () => 0, exited: true });
    expect([...classes]).toEqual([ENDED_FLUSHED, ENDED_LEFT, ENDED_FLUSHED]);
  });

  it.each<[string, number, boolean, 'sent' | 'left']>([
    ['fault 2: [Sent], dsmc exited by itself (rc 8): on tape, never again', SENT_MARK, true, 'sent'],
    ['fault 2: [Sent] and ANS4007E, dsmc killed: on tape (removal was tried), never again', SENT_MARK | NOT_REMOVED_MARK, false, 'sent'],
    ['[Sent], dsmc killed, nothing more: its transaction may be rolled back, retry', SENT_MARK, false, 'left'],
    ['ANS4007E without [Sent]: it could not be read, retry', NOT_REMOVED_MARK, true, 'left'],
    ['no mark: retry', 0, true, 'left'],
  ])('a file still in out/: %s', (_what, marks, exited, expected) => {
    const classes = classifyEndedFiles(files, { stillInOut: (name) => name === 'B', marksOf: (name) => (name === 'B' ? marks : 0), exited });
    expect([...classes]).toEqual([ENDED_FLUSHED, expected === 'sent' ? ENDED_SENT_STILL_IN_OUT : ENDED_LEFT, ENDED_FLUSHED]);
  });
});
