import { describe, expect, it } from 'vitest';
import { decideOwedSkip } from '../../../src/core/runtime/index.js';

describe('decideOwedSkip (issue 15 item 4: a SIGUSR1 during a listing is honoured for what the rest of the listing finds)', () => {
  it.each([
    ['no signal', { skipDelays: false, owed: false, listingPending: false }, { skipDelays: false, owed: false }],
    ['SIGUSR1, the directory fully listed: skip, nothing owed', { skipDelays: true, owed: false, listingPending: false }, { skipDelays: true, owed: false }],
    ['SIGUSR1 during a listing: act on what it found, owe the rest', { skipDelays: true, owed: false, listingPending: true }, { skipDelays: true, owed: true }],
    ['owed, the listing still goes on: wait for it', { skipDelays: false, owed: true, listingPending: true }, { skipDelays: false, owed: true }],
    ['owed, the listing is complete: skip once more, paid', { skipDelays: false, owed: true, listingPending: false }, { skipDelays: true, owed: false }],
    ['owed, and a second SIGUSR1 during the listing: skip again, still owed', { skipDelays: true, owed: true, listingPending: true }, { skipDelays: true, owed: true }],
  ])('%s', (_what, view, expected) => {
    expect(decideOwedSkip(view)).toEqual(expected);
  });
});
