import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlanJson, formatPlanTable, type PlanContext } from '../../src/cli/plan/format-plan.js';
import { historyWarning, planSessionEnds } from '../../src/cli/plan/plan-history.js';
import { planRetrieverOutlook, type PlanInputs } from '../../src/cli/plan/plan-outlook.js';
import type { SessionHistoryRecord } from '../../src/core/log/session-history.js';
import type { RecordedSessionEnd } from '../../src/retriever/policy.js';
import { GIB } from '../../src/core/units.js';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';
import { createFixture, endit, hexId, type CliFixture } from './helpers.js';
import { retrieverTestSettings } from '../retriever/test-settings.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const MB = 1e6;

const settings = retrieverTestSettings();

/** Volumes by request number: 1-3 on QUIET (40 min old: a small list waits for a third of fillwaitmax), 4-5 on FILLING (young), 6-7 on RUNNING (6 listed), 8 unknown (default), 9 complete in in/. */
function inputs(over: Partial<PlanInputs> = {}): PlanInputs {
  const ages: Record<number, number> = { 1: 40, 2: 41, 3: 42, 4: 1, 5: 2, 6: 50, 7: 3, 8: 5, 9: 60 };
  const volumes: Record<number, string> = { 1: 'QUIET', 2: 'QUIET', 3: 'QUIET', 4: 'FILLING', 5: 'FILLING', 6: 'RUNNING', 7: 'RUNNING', 9: 'QUIET' };
  const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    nowMs: T0,
    settings,
    recalls: numbers.map((n) => ({ id: hexId(n), sizeBytes: n * 100 * MB, mtimeMs: T0 - (ages[n] as number) * MIN })),
    hints: new Map(numbers.filter((n) => volumes[n] !== undefined).map((n) => [hexId(n), { volid: volumes[n] as string, order: String(10 - n), sizeBytes: n * 100 * MB }])),
    inSizes: new Map([[hexId(9), 900 * MB]]),
    running: [{ volume: 'RUNNING', ids: [hexId(6)] }],
    space: { freeBytes: 10_000 * GIB, totalBytes: 20_000 * GIB },
    library: LTO9_LIBRARY,
    sessionEnds: [],
    ...over,
  };
}

const context: PlanContext = {
  hsm: 'pool7',
  nowMs: T0,
  retrieverPid: 4242,
  maxWorkers: 2,
  unreadable: 0,
  library: LTO9_LIBRARY,
  history: { file: '/var/log/dcache/tsmretriever-sessions.jsonl', found: false, sessions: 0 },
  mountRetentionSec: 3600,
};

describe('planRetrieverOutlook', () => {
  it('running sessions first, then every volume in drive order with what it waits for', () => {
    const plan = planRetrieverOutlook(inputs());
    expect(plan.volumes.map((v) => [v.rank, v.volume, v.files, v.bytes / MB, v.oldestAgeSec / 60, v.state, v.waitSec, v.why])).toEqual([
      [null, 'RUNNING', 2, 1300, 50, 'running', null, 'session running; 1 more request(s) wait for it to end'],
      [1, 'QUIET', 3, 600, 42, 'starts', null, 'list ready'],
      // The mount cost (72 GB) outweighs the bytes: the older one goes first.
      [2, 'default', 1, 800, 5, 'ready', null, 'ready; waits for a free worker'],
      [3, 'FILLING', 2, 900, 2, 'waits', 38 * 60, "list under a mount's worth, waiting for more requests of its tape"],
    ]);
    expect(plan.volumes[1]?.list).toEqual({ files: 3, bytes: 600 * MB, cut: false });
    expect(plan.completeInIn).toBe(1);
    expect(plan.busyWorkers).toBe(1);
  });

  it('estimates drive time per volume: no mount for the one whose session runs', () => {
    const [running, quiet] = planRetrieverOutlook(inputs()).volumes;
    expect(running?.drive.mountSec).toBe(0);
    expect(quiet?.drive.mountSec).toBe(29);
    expect(quiet?.drive.transferSec).toBeCloseTo((600 * MB) / 400e6, 6);
  });

  it.each([
    [{ freeBytes: 50 * GIB, totalBytes: 200 * GIB }, 'held', 'space BACKLOG: starting nothing new'],
    [{ freeBytes: 1 * GIB, totalBytes: 200 * GIB }, 'held', 'space FULL: below the kill line'],
    [null, 'held', 'free space of in/ unknown'],
  ] as const)('a ready volume held by space %j: %s', (space, state, why) => {
    const quiet = planRetrieverOutlook(inputs({ space })).volumes.find((v) => v.volume === 'QUIET');
    expect(quiet).toMatchObject({ state, why });
  });

  it('with every worker busy a ready volume says so', () => {
    const quiet = planRetrieverOutlook(inputs({ settings: { ...settings, maxWorkers: 1 } })).volumes.find((v) => v.volume === 'QUIET');
    expect(quiet).toMatchObject({ rank: 1, state: 'ready', why: 'ready; waits for a free worker' });
  });

  it('an empty pool plans nothing', () => {
    const plan = planRetrieverOutlook(inputs({ recalls: [], running: [] }));
    expect(plan.volumes).toEqual([]);
    expect(formatPlanTable(plan, context)).toContain('No recall requests.');
  });
});

describe('planRetrieverOutlook with the session history (issue 11: tapes still mounted)', () => {
  const end = (volume: string, agoMin: number, over: Partial<RecordedSessionEnd> = {}): RecordedSessionEnd => ({ volume, endMs: T0 - agoMin * MIN, followOn: false, delivered: true, ...over });

  it.each([
    ['a session that ended a minute ago: follow-on, starts now without fill wait, no mount', [end('FILLING', 1)], 'starts', 'follow-on', 60, 0],
    ['a session that ended 2 h ago (retention 1 h): the tape is gone, the list waits', [end('FILLING', 120)], 'waits', 'work', null, 29],
    ['a session that read nothing: no tape was mounted', [end('FILLING', 1, { delivered: false })], 'waits', 'work', null, 29],
    ['the last of two sessions counts', [end('FILLING', 200), end('FILLING', 2, { followOn: true })], 'starts', 'follow-on', 120, 0],
  ] as const)('%s', (_title, sessionEnds, state, priority, endedAgoSec, mountSec) => {
    const filling = planRetrieverOutlook(inputs({ sessionEnds })).volumes.find((v) => v.volume === 'FILLING');
    expect(filling).toMatchObject({ state, priority, stillMounted: endedAgoSec === null ? null : { endedAgoSec } });
    expect(filling?.drive.mountSec).toBe(mountSec);
  });

  it('the same rule as the retriever: retriever_mountretention 0 disables follow-ons', () => {
    const filling = planRetrieverOutlook(inputs({ sessionEnds: [end('FILLING', 1)], settings: { ...settings, mountRetentionMs: 0 } })).volumes.find((v) => v.volume === 'FILLING');
    expect(filling).toMatchObject({ state: 'waits', stillMounted: null });
  });

  it('says in the table why a volume starts as a follow-on, and the history it read, once', () => {
    const plan = planRetrieverOutlook(inputs({ sessionEnds: [end('FILLING', 1)] }));
    const text = formatPlanTable(plan, { ...context, history: { ...context.history, found: true, sessions: 1 } });
    const row = text.split('\n').find((line) => line.includes('FILLING'));
    expect(row).toMatch(/starts .*follow-on: tape still mounted \(its last session ended 1m00s ago\)$/);
    // QUIET starves (42 min > 41 min) and takes the one free worker first; FILLING's tape stays in the other drive.
    const busy = planRetrieverOutlook(inputs({ sessionEnds: [end('FILLING', 1)], settings: { ...settings, fillWaitMaxMs: 41 * MIN } }));
    const busyRow = formatPlanTable(busy, context).split('\n').find((line) => line.includes('FILLING'));
    expect(busyRow).toMatch(/ready; waits for a free worker; follow-on: tape still mounted, its last session ended 1m00s ago$/);
    expect(text).toMatch(/^Assumed: a tape is taken as still mounted, as the retriever reckons it, when its last session in \/var\/log\/dcache\/tsmretriever-sessions.jsonl \(1 retriever session of pool7\) ended less than retriever_mountretention \(1h00m\) ago/m);
  });

  it.each([
    [{ file: null, found: false, sessions: 0 }, 'no tape is taken as mounted: with logdir -, there is no session history file to read'],
    [{ file: '/log/tsmretriever-sessions.jsonl', found: false, sessions: 0 }, 'no tape is taken as mounted: no session history in /log/tsmretriever-sessions.jsonl yet'],
  ])('without a history (%j) the output says so once', (history, said) => {
    const text = formatPlanTable(planRetrieverOutlook(inputs()), { ...context, history });
    expect(text.split(said)).toHaveLength(2);
  });
});

describe('planSessionEnds', () => {
  const record = (over: Partial<SessionHistoryRecord>): SessionHistoryRecord => ({
    time: '2023-11-14T22:00:00.000Z',
    daemon: 'retriever',
    hsm: 'pool7',
    volume: 'VOL1',
    pid: 10,
    start: '2023-11-14T21:50:00.000Z',
    end: '2023-11-14T22:00:00.000Z',
    files: 3,
    bytes: 300,
    failed: 0,
    rc: 0,
    reason: 'list ready',
    followOn: false,
    ...over,
  });

  it("keeps this HSM's retriever sessions on a known volume, oldest end first; files retrieved tell that the tape was read", () => {
    const ends = planSessionEnds(
      [
        record({ volume: 'LATE', end: '2023-11-14T22:10:00.000Z', followOn: true }),
        record({ volume: 'EARLY', end: '2023-11-14T21:00:00.000Z', files: 0, failed: 3, rc: 12 }),
        record({ daemon: 'archiver', volume: null }),
        record({ hsm: 'otherpool' }),
        record({ volume: 'default' }),
      ],
      'pool7',
    );
    expect(ends).toEqual([
      { volume: 'EARLY', endMs: Date.parse('2023-11-14T21:00:00.000Z'), followOn: false, delivered: false },
      { volume: 'LATE', endMs: Date.parse('2023-11-14T22:10:00.000Z'), followOn: true, delivered: true },
    ]);
  });

  it('one warning line per file with bad lines, naming it and the first', () => {
    expect(historyWarning('/log/x.jsonl', 0, null)).toBeNull();
    expect(historyWarning('/log/x.jsonl', 2, { lineNumber: 3, reason: 'not JSON' })).toBe('endit plan: warning: /log/x.jsonl: 2 line(s) that are no session record left out (first: line 3, not JSON)\n');
  });
});

describe('endit plan output', () => {
  const plan = planRetrieverOutlook(inputs());

  it('table: one row per volume with #, VOLUME, FILES, BYTES, OLDEST, STATE, DRIVE~, WHY, and says what it assumes', () => {
    const text = formatPlanTable(plan, context);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Retriever plan for pool7 at 2023-11-14T22:13:20.000Z: 8 requests on 4 volumes; the retriever runs (pid 4242)');
    expect(lines[1]).toMatch(/^Space of in\/: OK, \S+ \S+ for new lists above the kill line \(\S+ \S+\); sessions 1 of 2$/);
    const header = lines.findIndex((line) => line.startsWith('#'));
    expect(lines[header]?.split(/\s{2,}/)).toEqual(['#', 'VOLUME', 'FILES', 'BYTES', 'OLDEST', 'STATE', 'DRIVE~', 'WHY']);
    const rows = lines.slice(header + 1, header + 5).map((line) => line.trim().split(/\s{2,}/));
    expect(rows.map((row) => row.slice(0, 6))).toEqual([
      ['-', 'RUNNING', '2', '1.2 GiB', '50m00s', 'running'],
      ['1', 'QUIET', '3', '572.2 MiB', '42m00s', 'starts'],
      ['2', 'default', '1', '762.9 MiB', '5m00s', 'ready'],
      ['3', 'FILLING', '2', '858.3 MiB', '2m00s', 'waits 38m00s'],
    ]);
    expect(rows.every((row) => /^\d+m\d\ds$/.test(row[6] ?? ''))).toBe(true);
    expect(text).toContain('(1 request already complete in in/: the retriever removes them without a session)');
    expect(text).toMatch(/^Assumed: no tape is taken as mounted/m);
    expect(text).toMatch(/^Assumed: drive times are estimates on an LTO-9 model/m);
  });

  it('JSON: the same figures unformatted, with the drive estimate by phase', () => {
    const json = JSON.parse(formatPlanJson(plan, context));
    expect(Object.keys(json)).toEqual(['time', 'hsm', 'retriever', 'space', 'volumes', 'totals', 'completeInIn', 'unreadable', 'history', 'assumptions']);
    expect(json.retriever).toEqual({ running: true, pid: 4242, maxWorkers: 2, busyWorkers: 1 });
    expect(json.space).toMatchObject({ state: 'OK', killLineBytes: expect.any(Number), backlogLineBytes: expect.any(Number), budgetBytes: expect.any(Number) });
    expect(json.volumes[1]).toEqual({
      rank: 1,
      volume: 'QUIET',
      priority: 'work',
      files: 3,
      bytes: 600 * MB,
      oldestAgeSec: 42 * 60,
      state: 'starts',
      waitSec: null,
      why: 'list ready',
      list: { files: 3, bytes: 600 * MB, cut: false },
      driveEstimate: { mountSec: 29, locateSec: expect.any(Number), transferSec: 2, unmountSec: expect.any(Number), totalSec: expect.any(Number) },
      stillMounted: null,
    });
    expect(json.totals).toMatchObject({ volumes: 4, files: 8, bytes: 3600 * MB });
    expect(json.assumptions).toHaveLength(2);
  });
});

describe('endit plan', () => {
  it('applies the override file as the daemons do, and prints JSON with --json', async () => {
    const f = createFixture();
    // A 1 GiB buffer: the free space of the machine's /tmp is plenty.
    f.writeConfig({ retriever_hintfile: f.hintfile, retriever_buffersize: 1 });
    f.writeHints({ [hexId(1)]: { volid: 'VOL1', order: '1', size: 10 } });
    f.writeRequest(hexId(1), { file_size: 10, action: 'recall' });
    const young = await endit(['plan', '--config', f.config, '--json']);
    expect(young.code).toBe(0);
    expect(JSON.parse(young.out).volumes[0]).toMatchObject({ volume: 'VOL1', state: 'waits', why: "list under a mount's worth, waiting for more requests of its tape" });
    const twentySecondsAgo = Date.now() / 1000 - 20;
    fs.utimesSync(path.join(f.dir, 'request', hexId(1)), twentySecondsAgo, twentySecondsAgo);
    // A small list also waits for a third of the fill-wait maximum (10 s here).
    fs.writeFileSync(f.override, JSON.stringify({ retriever_reqlistfillwait: 5, retriever_reqlistfillwaitmax: 30 }));
    const now = await endit(['plan', '--config', f.config, '--json']);
    expect(now.err).toBe('');
    expect(JSON.parse(now.out).volumes[0]).toMatchObject({ volume: 'VOL1', state: 'starts' });
  });

  it('shows a running session from the record the retriever keeps while dsmc runs', async () => {
    const f = createFixture();
    f.writeRequest(hexId(1), { file_size: 10, action: 'recall' });
    const lists = path.join(f.dir, 'requestlists');
    fs.mkdirSync(lists);
    fs.writeFileSync(path.join(lists, 'VOL9.AbC123'), `${path.join(f.dir, 'out', hexId(1))}\n`);
    fs.writeFileSync(path.join(lists, '.retriever.VOL9.AbC123.session'), JSON.stringify({ daemon: 'retriever', listFile: path.join(lists, 'VOL9.AbC123'), pid: process.pid, startedMs: 0 }));
    const { out } = await endit(['plan', '--config', f.config, '--json']);
    expect(JSON.parse(out).volumes).toEqual([expect.objectContaining({ volume: 'VOL9', state: 'running', files: 1, rank: null })]);
  });

  describe('reads the session history (issue 11: tapes still mounted)', () => {
    const line = (volume: string, agoSec: number, over: Record<string, unknown> = {}): string => {
      const endIso = new Date(Date.now() - agoSec * 1000).toISOString();
      return JSON.stringify({ time: endIso, daemon: 'retriever', hsm: 'pool7', volume, pid: 4, start: endIso, end: endIso, files: 1, bytes: 10, failed: 0, rc: 0, reason: 'list ready', followOn: false, ...over });
    };
    const planFor = async (f: CliFixture): Promise<{ json: { volumes: Array<Record<string, unknown>>; history: Record<string, unknown>; assumptions: string[] }; err: string }> => {
      const { out, err, code } = await endit(['plan', '--config', f.config, '--json']);
      expect(code).toBe(0);
      return { json: JSON.parse(out), err };
    };
    const fixture = (): { f: CliFixture; history: string } => {
      const f = createFixture();
      f.writeConfig({ retriever_hintfile: f.hintfile, retriever_buffersize: 1 });
      f.writeHints({ [hexId(1)]: { volid: 'VOL1', order: '1', size: 10 } });
      f.writeRequest(hexId(1), { file_size: 10, action: 'recall' });
      const logdir = path.join(path.dirname(f.dir), 'log');
      fs.mkdirSync(logdir, { recursive: true });
      return { f, history: path.join(logdir, 'tsmretriever-sessions.jsonl') };
    };

    it('a bad line and a truncated last line: one warning naming the file, the good records still count', async () => {
      const { f, history } = fixture();
      fs.writeFileSync(history, `${line('VOL1', 60)}\n{"broken\n${line('VOL1', 30).slice(0, 40)}`);
      const { json, err } = await planFor(f);
      expect(err).toBe(`endit plan: warning: ${history}: 1 line(s) that are no session record left out (first: line 2, not JSON)\n`);
      expect(json.volumes[0]).toMatchObject({ volume: 'VOL1', state: 'starts', priority: 'follow-on', stillMounted: { endedAgoSec: expect.any(Number) } });
      expect(json.history).toEqual({ file: history, found: true, sessions: 1, mountRetentionSec: 3600 });
    });

    it('rotated away: the previous copy (.1) still counts; a missing file is no history, not a warning', async () => {
      const { f, history } = fixture();
      const young = await planFor(f);
      expect(young.err).toBe('');
      expect(young.json.volumes[0]).toMatchObject({ state: 'waits', stillMounted: null });
      expect(young.json.assumptions[0]).toContain(`no session history in ${history} yet`);
      fs.writeFileSync(`${history}.1`, `${line('VOL1', 60)}\n`);
      fs.writeFileSync(history, '');
      const rotated = await planFor(f);
      expect(rotated.err).toBe('');
      expect(rotated.json.volumes[0]).toMatchObject({ state: 'starts', stillMounted: { endedAgoSec: expect.any(Number) } });
    });

    it('with logdir - there is no file, and the output says so once', async () => {
      const { f } = fixture();
      f.writeConfig({ retriever_hintfile: f.hintfile, retriever_buffersize: 1, logdir: '-' });
      const { out, err } = await endit(['plan', '--config', f.config]);
      expect(err).toBe('');
      expect(out.split('with logdir -, there is no session history file to read')).toHaveLength(2);
    });
  });

  it('is in the command list; an unknown option is a usage error', async () => {
    expect((await endit(['--help'])).out).toMatch(/^ {2}plan\s+dry run of the retriever/m);
    const bad = await endit(['plan', '--format', 'json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Usage: endit plan');
  });
});
