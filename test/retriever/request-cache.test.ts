import { describe, expect, it } from 'vitest';
import { scanHintText, type HintScanOutcome } from '../../src/retriever/hint-parse.js';
import { RequestCache } from '../../src/retriever/request-cache.js';
import { ABSENT, IGNORED, INVALID, PENDING, STAGED, UNREAD, WORKING } from '../../src/retriever/slot-store.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

/** Loads hint text as the HintLoader does: built aside, in force only when it parsed. */
function loadHintText(cache: RequestCache, text: string): HintScanOutcome {
  const outcome = scanHintText(text, cache.beginHints());
  cache.endHints(outcome.ok);
  return outcome;
}

function hints(cache: RequestCache, map: Record<string, { volid: string; order?: string; size?: number }>): void {
  expect(loadHintText(cache, JSON.stringify(map)).ok).toBe(true);
}

function pending(cache: RequestCache, n: number, mtimeMs: number, fileSize: number): void {
  cache.observe(id(n), mtimeMs, 100);
  cache.markRead(id(n), mtimeMs, { kind: 'pending', fileSizeBytes: fileSize, parentPid: 77 });
}

const summary = (cache: RequestCache, volume: string) => cache.summaries().find((s) => s.name === volume);

describe('RequestCache', () => {
  it('groups requests by hinted volume, unknown ids in default, with aggregates', () => {
    const cache = new RequestCache();
    hints(cache, { [id(1)]: { volid: 'VOL A' }, [id(2)]: { volid: 'VOL A' }, [id(3)]: { volid: 'VOLB' } });
    pending(cache, 1, 1000, 10);
    pending(cache, 2, 3000, 20);
    pending(cache, 3, 2000, 30);
    pending(cache, 4, 500, 40);
    expect(summary(cache, 'VOL_A')).toMatchObject({ files: 2, bytes: 30, oldestMs: 1000, newestMs: 3000, unread: 0 });
    expect(summary(cache, 'VOLB')).toMatchObject({ files: 1, bytes: 30 });
    expect(summary(cache, 'default')).toMatchObject({ files: 1, bytes: 40, oldestMs: 500 });
    expect(cache.pendingTotals()).toEqual({ files: 4, bytes: 100, volumes: 3 });
  });

  it('keeps oldest/newest right when the request holding them leaves', () => {
    const cache = new RequestCache();
    for (const [n, m] of [[1, 100], [2, 200], [3, 300]] as const) pending(cache, n, m, 1);
    cache.forget(id(1));
    cache.forget(id(3));
    expect(summary(cache, 'default')).toMatchObject({ files: 1, oldestMs: 200, newestMs: 200 });
    cache.forget(id(2));
    expect(summary(cache, 'default')).toBeUndefined();
    expect(cache.requests).toBe(0);
  });

  it('counts unread requests with the hint size until read, then the request file_size', () => {
    const cache = new RequestCache();
    hints(cache, { [id(1)]: { volid: 'V', size: 500 } });
    expect(cache.observe(id(1), 10, 100)).toBe('new');
    expect(summary(cache, 'V')).toMatchObject({ files: 1, bytes: 500, unread: 1 });
    expect(cache.unreadIdsOf('V')).toEqual([id(1)]);
    cache.markRead(id(1), 10, { kind: 'pending', fileSizeBytes: 512, parentPid: null });
    expect(summary(cache, 'V')).toMatchObject({ bytes: 512, unread: 0 });
    expect(cache.unread).toBe(0);
  });

  it('does not read an unchanged file again; a change (mtime or size) makes it unread', () => {
    const cache = new RequestCache();
    pending(cache, 1, 10, 1);
    expect(cache.observe(id(1), 10, 100)).toBe('same');
    expect(cache.stateOf(id(1))).toBe(PENDING);
    expect(cache.observe(id(1), 10, 101)).toBe('changed');
    expect(cache.stateOf(id(1))).toBe(UNREAD);
    expect(cache.unreadIds(10)).toEqual([id(1)]);
  });

  it('hands out no unread ids when asked for none (the read-ahead may use up the cycle\'s reads)', () => {
    const cache = new RequestCache();
    cache.observe(id(1), 10, 100);
    expect(cache.unreadIds(0)).toEqual([]);
    expect(cache.unreadIds(1)).toEqual([id(1)]);
  });

  it('ignores a read result for a version of the file that is no longer current', () => {
    const cache = new RequestCache();
    cache.observe(id(1), 10, 100);
    cache.markRead(id(1), 9, { kind: 'pending', fileSizeBytes: 1, parentPid: null });
    expect(cache.stateOf(id(1))).toBe(UNREAD);
  });

  it('keeps flush requests and invalid ones out of the groups', () => {
    const cache = new RequestCache();
    cache.observe(id(1), 10, 100);
    cache.observe(id(2), 10, 100);
    cache.markRead(id(1), 10, { kind: 'ignored' });
    cache.markRead(id(2), 10, { kind: 'invalid' });
    expect([cache.stateOf(id(1)), cache.stateOf(id(2))]).toEqual([IGNORED, INVALID]);
    expect(cache.pendingTotals().files).toBe(0);
    expect(cache.requests).toBe(2);
  });

  it('tracks the distinct parent pids of pending requests', () => {
    const cache = new RequestCache();
    pending(cache, 1, 10, 1);
    pending(cache, 2, 10, 1);
    cache.observe(id(3), 10, 100);
    cache.markRead(id(3), 10, { kind: 'pending', fileSizeBytes: 1, parentPid: 88 });
    expect(cache.parentPids().sort()).toEqual([77, 88]);
    expect(cache.idsWithPid(77).sort()).toEqual([id(1), id(2)]);
    cache.forget(id(3));
    expect(cache.parentPids()).toEqual([77]);
  });

  it('moves requests through a session: working, then staged or back to be read', () => {
    const cache = new RequestCache();
    pending(cache, 1, 10, 5);
    pending(cache, 2, 10, 5);
    expect(cache.startWork([id(1), id(2), id(9)])).toEqual([id(1), id(2)]);
    expect(cache.pendingTotals().files).toBe(0);
    expect(cache.stateOf(id(1))).toBe(WORKING);
    cache.endWork(id(1), 'staged');
    cache.endWork(id(2), 'retry');
    expect([cache.stateOf(id(1)), cache.stateOf(id(2))]).toEqual([STAGED, UNREAD]);
    expect(cache.pendingTotals().files).toBe(1);
  });

  it('a full listing forgets files it did not see and sends staged ones to be checked again', () => {
    const cache = new RequestCache();
    pending(cache, 1, 10, 1);
    pending(cache, 2, 10, 1);
    pending(cache, 3, 10, 1);
    cache.startWork([id(3)]);
    cache.endWork(id(3), 'staged');
    const generation = cache.beginListing();
    cache.seen(generation, id(1), 10, 100);
    cache.seen(generation, id(3), 10, 100);
    cache.seen(generation, id(4), 20, 100);
    expect(cache.endListing(generation)).toBe(1);
    expect([cache.stateOf(id(1)), cache.stateOf(id(2)), cache.stateOf(id(3)), cache.stateOf(id(4))]).toEqual([PENDING, ABSENT, UNREAD, UNREAD]);
  });

  it('regroups every request when the hints change, and keeps the old hints when the new ones are broken', () => {
    const cache = new RequestCache();
    hints(cache, { [id(1)]: { volid: 'OLD' } });
    pending(cache, 1, 10, 1);
    pending(cache, 2, 10, 1);
    expect(cache.volumeOf(id(1))).toBe('OLD');
    const broken = loadHintText(cache, `{"${id(2)}":{"volid":"NEW"}, oops`);
    expect(broken.ok).toBe(false);
    expect(cache.volumeOf(id(1))).toBe('OLD');
    expect(cache.volumeOf(id(2))).toBe('default');
    expect(cache.hintEntries).toBe(1);
    hints(cache, { [id(2)]: { volid: 'NEW', order: '0-0-0-9' } });
    expect(cache.volumeOf(id(1))).toBe('default');
    expect(cache.volumeOf(id(2))).toBe('NEW');
    expect(cache.requestsOf('NEW')).toEqual([{ id: id(2), sizeBytes: 1, sinceMs: 10, order: [0, 0, 0, 9] }]);
    expect(summary(cache, 'OLD')).toBeUndefined();
    expect(cache.pendingTotals()).toEqual({ files: 2, bytes: 2, volumes: 2 });
  });

  it('frees the slots of ids that have neither a request nor a hint any more', () => {
    const cache = new RequestCache();
    hints(cache, { [id(1)]: { volid: 'A' }, [id(2)]: { volid: 'A' } });
    expect(cache.store.size).toBe(2);
    hints(cache, { [id(2)]: { volid: 'A' } });
    expect(cache.store.size).toBe(1);
    pending(cache, 5, 1, 1);
    cache.forget(id(5));
    expect(cache.store.size).toBe(1);
  });

  it('holds 200,000 requests over 1,000 volumes with exact aggregates', () => {
    const cache = new RequestCache();
    const map: Record<string, { volid: string }> = {};
    for (let n = 0; n < 200_000; n++) map[id(n)] = { volid: `V${n % 1000}` };
    hints(cache, map);
    for (let n = 0; n < 200_000; n++) cache.observe(id(n), n, 100);
    expect(cache.summaries()).toHaveLength(1000);
    expect(summary(cache, 'V7')).toMatchObject({ files: 200, unread: 200, oldestMs: 7, newestMs: 199_007 });
    for (let n = 7; n < 200_000; n += 1000) cache.forget(id(n));
    expect(summary(cache, 'V7')).toBeUndefined();
    expect(cache.pendingTotals()).toMatchObject({ files: 199_800, volumes: 999 });
  });

  describe('issue 11, rewritten request: a retry keeps the age from when the request was first seen', () => {
    it('pending, rewritten with a later mtime: oldest, newest and the listed request keep the first mtime', () => {
      const cache = new RequestCache();
      pending(cache, 1, 1000, 10);
      pending(cache, 2, 4000, 10);
      expect(cache.observe(id(1), 9000, 120)).toBe('changed');
      cache.markRead(id(1), 9000, { kind: 'pending', fileSizeBytes: 10, parentPid: 78 });
      expect(summary(cache, 'default')).toMatchObject({ files: 2, oldestMs: 1000, newestMs: 4000 });
      expect(cache.requestsOf('default').find((r) => r.id === id(1))).toMatchObject({ sinceMs: 1000 });
      // Change detection still goes by the file's own mtime.
      expect(cache.mtimeOf(id(1))).toBe(9000);
      expect(cache.observe(id(1), 9000, 120)).toBe('same');
    });

    it('rewritten while on a running list, then retried: still the first age', () => {
      const cache = new RequestCache();
      pending(cache, 1, 1000, 10);
      cache.startWork([id(1)]);
      cache.observe(id(1), 7000, 100);
      cache.endWork(id(1), 'retry');
      cache.markRead(id(1), 7000, { kind: 'pending', fileSizeBytes: 10, parentPid: 77 });
      expect(summary(cache, 'default')).toMatchObject({ oldestMs: 1000 });
    });

    it('removed and written anew (a new stage) is a new request', () => {
      const cache = new RequestCache();
      pending(cache, 1, 1000, 10);
      cache.forget(id(1));
      pending(cache, 1, 8000, 10);
      expect(summary(cache, 'default')).toMatchObject({ oldestMs: 8000 });
    });
  });

  describe('issue 11, request wait: deliveries reported with the age of first sight', () => {
    function tracked(): { cache: RequestCache; delivered: number[] } {
      const delivered: number[] = [];
      return { cache: new RequestCache((sinceMs) => delivered.push(sinceMs)), delivered };
    }

    it.each([
      ['staged, then removed by dCache', (c: RequestCache) => (c.startWork([id(1)]), c.endWork(id(1), 'staged'), c.forget(id(1))), [1000]],
      ['landed during its session, removed by dCache before the session ended', (c: RequestCache) => (c.startWork([id(1)]), c.markLanded(id(1)), c.forget(id(1))), [1000]],
      ['removed by us because its file is complete in in/', (c: RequestCache) => c.forget(id(1), 'delivered'), [1000]],
      ['on a running list, removed before it landed (cancelled)', (c: RequestCache) => (c.startWork([id(1)]), c.forget(id(1))), []],
      ['pending, removed (cancelled)', (c: RequestCache) => c.forget(id(1)), []],
      ['landed, retried after all, then cancelled', (c: RequestCache) => (c.startWork([id(1)]), c.markLanded(id(1)), c.endWork(id(1), 'retry'), c.forget(id(1))), []],
    ] as const)('%s: %j', (_what, act, expected) => {
      const { cache, delivered } = tracked();
      pending(cache, 1, 1000, 10);
      act(cache);
      expect(delivered).toEqual(expected);
    });

    it('a staged request a full listing no longer sees was delivered', () => {
      const { cache, delivered } = tracked();
      pending(cache, 1, 1000, 10);
      pending(cache, 2, 2000, 10);
      cache.startWork([id(1), id(2)]);
      cache.endWork(id(1), 'staged');
      cache.endWork(id(2), 'retry');
      const generation = cache.beginListing();
      expect(cache.endListing(generation)).toBe(2);
      expect(delivered).toEqual([1000]);
    });
  });
});
