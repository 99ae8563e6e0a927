import { describe, expect, it } from 'vitest';
import { decideDrainStep, explainLeftovers, formatDrainProgress, INITIAL_DRAIN_STATE, isEmpty, type DrainSettings } from '../../src/cli/drain/drain-policy.js';
import type { DaemonDrainView, DirCount, DrainView } from '../../src/cli/drain/drain-view.js';

const NOW_MS = 1_700_000_000_000;
const SETTINGS: DrainSettings = { deadlineMs: NOW_MS + 60_000, resendAfterMs: 10_000 };

function count(dir: string, work = 0, ignoredNames: string[] = []): DirCount {
  return { dir, work, ignored: ignoredNames.length, ignoredNames };
}

function daemon(name: 'archiver' | 'deleter', pid: number | null, figures: Record<string, number> | null = {}): DaemonDrainView {
  const prefixed = figures === null ? null : Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${name}_${k}`, v]));
  return { name, pid, lockFile: `/p/.endit-${name}.lock`, figures: prefixed, logFile: `/log/tsm${name}.log` };
}

function view(parts: Partial<DrainView> = {}): DrainView {
  return {
    nowMs: NOW_MS,
    out: count('/p/out'),
    trash: count('/p/trash'),
    queue: count('/p/trash/queue'),
    archiver: daemon('archiver', 11, { time: NOW_MS / 1000, busyworkers: 0, backoff_failures: 0 }),
    deleter: daemon('deleter', 12, { time: NOW_MS / 1000, busyworkers: 0, backoff_failures: 0, waiting_files: 0, held_files: 0 }),
    overrideFile: '/run/endit/conf-override.json',
    ...parts,
  };
}

describe('decideDrainStep', () => {
  it('stops at once, drained, when nothing waits', () => {
    expect(decideDrainStep(view(), INITIAL_DRAIN_STATE, SETTINGS)).toMatchObject({ stop: 'drained', signal: [] });
  });

  it('signals the daemons that have work, once', () => {
    const v = view({ out: count('/p/out', 3), queue: count('/p/trash/queue', 1) });
    const first = decideDrainStep(v, INITIAL_DRAIN_STATE, SETTINGS);
    expect(first).toMatchObject({ stop: null, signal: ['archiver', 'deleter'], nextState: { lastSignalMs: { archiver: NOW_MS, deleter: NOW_MS } } });
    const soon = decideDrainStep({ ...v, nowMs: NOW_MS + 5000 }, first.nextState, SETTINGS);
    expect(soon.signal).toEqual([]);
  });

  it('signals again a daemon that is idle, not failing and has published since, when work is still there', () => {
    const state = { lastSignalMs: { archiver: NOW_MS - 20_000, deleter: NOW_MS - 20_000 } };
    const idle = view({ out: count('/p/out', 2), trash: count('/p/trash', 1) });
    expect(decideDrainStep(idle, state, SETTINGS).signal).toEqual(['archiver', 'deleter']);
    const busy = view({ out: count('/p/out', 2), archiver: daemon('archiver', 11, { time: NOW_MS / 1000, busyworkers: 1 }) });
    expect(decideDrainStep(busy, state, SETTINGS).signal).toEqual([]);
    const failing = view({ out: count('/p/out', 2), archiver: daemon('archiver', 11, { time: NOW_MS / 1000, busyworkers: 0, backoff_failures: 2 }) });
    expect(decideDrainStep(failing, state, SETTINGS).signal).toEqual([]);
    const notPublished = view({ out: count('/p/out', 2), archiver: daemon('archiver', 11, { time: (NOW_MS - 30_000) / 1000, busyworkers: 0 }) });
    expect(decideDrainStep(notPublished, state, SETTINGS).signal).toEqual([]);
  });

  it('is stuck when the only daemon with work is not running, and keeps waiting while another can progress', () => {
    const noArchiver = view({ out: count('/p/out', 2), archiver: daemon('archiver', null, null) });
    expect(decideDrainStep(noArchiver, INITIAL_DRAIN_STATE, SETTINGS)).toMatchObject({ stop: 'stuck', signal: [] });
    const deleterWorks = { ...noArchiver, queue: count('/p/trash/queue', 1) };
    expect(decideDrainStep(deleterWorks, INITIAL_DRAIN_STATE, SETTINGS)).toMatchObject({ stop: null, signal: ['deleter'] });
  });

  it('is stuck when every queued id is held back by volume-aware deletion', () => {
    const held = view({ queue: count('/p/trash/queue', 1), deleter: daemon('deleter', 12, { waiting_files: 5, held_files: 5 }) });
    expect(decideDrainStep(held, INITIAL_DRAIN_STATE, SETTINGS).stop).toBe('stuck');
    const partly = view({ queue: count('/p/trash/queue', 2), deleter: daemon('deleter', 12, { waiting_files: 8, held_files: 5 }) });
    expect(decideDrainStep(partly, INITIAL_DRAIN_STATE, SETTINGS).stop).toBe(null);
  });

  it('stops at the deadline', () => {
    const late = view({ nowMs: SETTINGS.deadlineMs, out: count('/p/out', 1) });
    expect(decideDrainStep(late, INITIAL_DRAIN_STATE, SETTINGS)).toMatchObject({ stop: 'timeout', signal: [] });
  });
});

describe('explainLeftovers', () => {
  it('names each cause: not running, dsmc failing with the last log line, held ids, odd names', () => {
    const v = view({
      out: count('/p/out', 4, ['README']),
      trash: count('/p/trash', 2),
      queue: count('/p/trash/queue', 1, ['17.bad']),
      archiver: daemon('archiver', 11, { backoff_failures: 3, backoff_seconds: 40 }),
      deleter: daemon('deleter', null, { waiting_files: 9 }),
    });
    expect(explainLeftovers(v, { archiver: 'x Warning: [dsmc_failed] Archive session exited with code 12' })).toEqual([
      '/p/out: 4 file(s) not yet on tape: dsmc archive failing: 3 failed session(s) in a row, next try in 40s; last: x Warning: [dsmc_failed] Archive session exited with code 12',
      '/p/out: 1 entry not named as a pnfsid (the archiver ignores such names): README; remove or move by hand',
      '/p/trash: 2 deletion(s) not yet queued: no deleter running (no live process holds /p/.endit-deleter.lock): start endit-deleter',
      '/p/trash/queue: 1 queue file(s) (9 id(s)) not yet deleted from tape: no deleter running (no live process holds /p/.endit-deleter.lock): start endit-deleter',
      '/p/trash/queue: 1 entry not a queue file (*.bad: corrupt, set aside by the deleter, see its log): 17.bad; remove or move by hand',
    ]);
    expect(isEmpty(v)).toBe(false);
  });

  it('tells how to release held deletions, and where to look when the log is the journal', () => {
    const v = view({
      queue: count('/p/trash/queue', 1),
      deleter: { ...daemon('deleter', 12, { waiting_files: 5, held_files: 5 }), logFile: null },
    });
    expect(explainLeftovers(v)).toEqual([
      '/p/trash/queue: 1 queue file(s) (5 id(s)) not yet deleted from tape: 5 id(s) held back by volume-aware deletion (deleter_volumequiet): '
        + 'set "deleter_volumequiet": "0" in /run/endit/conf-override.json to send them now',
    ]);
    const failing = { ...v, deleter: { ...daemon('deleter', 12, { backoff_failures: 1 }), logFile: null } };
    expect(explainLeftovers(failing)[0]).toMatch(/dsmc delete archive failing: 1 failed session\(s\) in a row; see journalctl -u endit-deleter$/);
  });

  it('draws a progress line', () => {
    const v = view({ nowMs: NOW_MS + 12_000, out: count('/p/out', 3), archiver: daemon('archiver', 11, { busyworkers: 1 }) });
    expect(formatDrainProgress(v, NOW_MS, 3600)).toBe('out/ 3, trash/ 0, queue 0 file(s); archiver 1 session(s), deleter idle; 12s of 3600s');
  });
});

describe('endit drain options', () => {
  it('refuses a --timeout that is not a number of seconds', async () => {
    const { endit } = await import('./helpers.js');
    const { code, err } = await endit(['drain', '--timeout', 'soon']);
    expect(code).toBe(2);
    expect(err).toMatch(/^endit: --timeout: expected seconds \(a number >= 0\), got 'soon'\n/);
  });
});
