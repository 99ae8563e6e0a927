import { describe, expect, it } from 'vitest';
import { indexByPath } from '../../src/fake-dsmc/catalog.js';
import { readCatalog } from '../../src/fake-dsmc/catalog-scan.js';
import { planChunkBytes, planWrongSize } from '../../src/fake-dsmc/data-copy.js';
import { isSafeAbsolutePath, parseFileList } from '../../src/fake-dsmc/file-list.js';
import { parseInvocation } from '../../src/fake-dsmc/invocation.js';
import { parseJournal } from '../../src/fake-dsmc/journal.js';
import { planPathMatcher } from '../../src/fake-dsmc/path-pattern.js';
import { needsStartCounts, planSession } from '../../src/fake-dsmc/plan-session.js';
import { planQueryListing } from '../../src/fake-dsmc/query-command.js';
import { DEFAULT_SCENARIO, parseScenario, ScenarioError } from '../../src/fake-dsmc/scenario.js';

describe('parseInvocation', () => {
  it('accepts ENDIT archive with options in any order', () => {
    const parsed = parseInvocation(['archive', '-asnode=PROXY', '-description=ENDIT-2024', '-deletefiles', '-errorlogname=/x', '-filelist=/p/requestlists/a']);
    expect(parsed).toEqual({
      ok: true,
      invocation: {
        command: 'archive',
        display: { dateFormat: 0, timeFormat: 0, numberFormat: 0 },
        asNode: 'PROXY',
        listFile: '/p/requestlists/a',
        deleteFiles: true,
        description: 'ENDIT-2024',
      },
    });
  });

  it('accepts ENDIT retrieve, delete and query', () => {
    const retrieve = parseInvocation(['retrieve', '-replace=no', '-followsymbolic=yes', '-dateformat=3', '-timeformat=1', '-numberformat=1', '-filelist=/l', '/p/in/']);
    expect(retrieve.ok && retrieve.invocation).toMatchObject({ command: 'retrieve', replace: 'no', destDir: '/p/in/', display: { dateFormat: 3, timeFormat: 1, numberFormat: 1 } });
    const del = parseInvocation(['delete', 'archive', '-noprompt', '-filelist=/l']);
    expect(del.ok && del.invocation).toMatchObject({ command: 'delete', listFile: '/l' });
    const query = parseInvocation(['query', 'archive', '-filesonly', '-detail', '/p/out/*']);
    expect(query.ok && query.invocation).toMatchObject({ command: 'query', pattern: '/p/out/*' });
  });

  it('accepts dsmc abbreviations and quoted values', () => {
    expect(parseInvocation(['ret', '-filelist=/l', '/d/']).ok).toBe(true);
    expect(parseInvocation(['q', 'ar', "'/p/out/*'"])).toMatchObject({ ok: true, invocation: { pattern: '/p/out/*' } });
    expect(parseInvocation(['del', 'ar', '-filelist="/l"'])).toMatchObject({ ok: true, invocation: { listFile: '/l' } });
  });

  it('defaults retrieve to -replace=prompt like dsmc', () => {
    expect(parseInvocation(['retrieve', '-filelist=/l', '/d/'])).toMatchObject({ ok: true, invocation: { replace: 'prompt' } });
  });

  it.each([
    [[], "ANS1107E Invalid option/value: ''"],
    [['backup', '-filelist=/l'], "ANS1107E Invalid option/value: 'backup'"],
    [['delete'], "ANS1138E The 'delete' command must be followed by a subcommand"],
    [['delete', 'backup', '-filelist=/l'], "ANS1107E Invalid option/value: 'backup'"],
    [['archive', '-description=x'], "ANS1107E Invalid option/value: '-filelist'"],
    [['archive', '-filelist=/l', '/extra'], "ANS1107E Invalid option/value: '/extra'"],
    [['retrieve', '-filelist=/l'], "ANS1107E Invalid option/value: ''"],
    [['retrieve', '-filelist=/l', 'relative/'], "ANS1107E Invalid option/value: 'relative/'"],
    [['retrieve', '-filelist=/l', '/a/../b/'], "ANS1107E Invalid option/value: '/a/../b/'"],
    [['retrieve', '-replace=maybe', '-filelist=/l', '/d/'], "ANS1107E Invalid option/value: '-replace=maybe'"],
    [['query', 'archive', '-dateformat=9', '/p/*'], "ANS1107E Invalid option/value: '-dateformat=9'"],
    [['query', 'archive', '-numberformat=x', '/p/*'], "ANS1107E Invalid option/value: '-numberformat=x'"],
  ])('rejects %j', (argv, message) => {
    expect(parseInvocation(argv)).toEqual({ ok: false, message });
  });
});

describe('parseFileList', () => {
  it('reads one path per line, skipping blanks and refusing unsafe paths', () => {
    const entries = parseFileList('/p/out/A1\n\n  /p/out/B2 \r\nrelative/C3\n/p/../etc/passwd\n"/p/out/D4"\n');
    expect(entries).toEqual([
      { path: '/p/out/A1', id: 'A1', valid: true },
      { path: '/p/out/B2', id: 'B2', valid: true },
      { path: 'relative/C3', id: 'C3', valid: false },
      { path: '/p/../etc/passwd', id: 'passwd', valid: false },
      { path: '/p/out/D4', id: 'D4', valid: true },
    ]);
  });

  it('judges paths', () => {
    expect(isSafeAbsolutePath('/a/b')).toBe(true);
    expect(isSafeAbsolutePath('/a/./b')).toBe(false);
    expect(isSafeAbsolutePath('/a/b\u0001')).toBe(false);
    expect(isSafeAbsolutePath('a/b')).toBe(false);
  });
});

describe('parseScenario', () => {
  it('fills in defaults', () => {
    expect(parseScenario({})).toEqual(DEFAULT_SCENARIO);
  });

  it('reads every key', () => {
    const scenario = parseScenario({
      mountDelayMs: 5,
      bytesPerSecond: 100,
      filesPerVolume: 2,
      volumePrefix: 'X',
      messagesOn: 'stdout',
      failIds: ['A'],
      wrongSizeIds: ['B'],
      rules: [{ command: 'retrieve', times: 1, action: 'crash', signal: 'SIGABRT', afterFiles: 2 }],
    });
    expect(scenario).toMatchObject({ mountDelayMs: 5, bytesPerSecond: 100, filesPerVolume: 2, volumePrefix: 'X', messagesOn: 'stdout' });
    expect([...scenario.failIds]).toEqual(['A']);
    expect([...scenario.wrongSizeIds]).toEqual(['B']);
    expect(scenario.rules).toEqual([{ command: 'retrieve', times: 1, action: 'crash', signal: 'SIGABRT', afterFiles: 2 }]);
  });

  it.each([
    [[], 'expected a JSON object'],
    [{ mountDelay: 1 }, 'scenario: unknown key "mountDelay"'],
    [{ mountDelayMs: -1 }, 'scenario.mountDelayMs: expected a non-negative integer, got -1'],
    [{ filesPerVolume: 0 }, 'scenario.filesPerVolume: must be at least 1'],
    [{ messagesOn: 'both' }, 'scenario.messagesOn: expected one of stderr, stdout, got "both"'],
    [{ failIds: 'A' }, 'failIds: expected an array of strings'],
    [{ rules: {} }, 'rules: expected an array'],
    [{ rules: [{ command: 'retrieve' }] }, 'rules[0].action: required'],
    [{ rules: [{ action: 'explode' }] }, 'rules[0].action: expected one of fail, hang, crash, prompt, partial, succeed, sent-not-deleted, hold-stdout, long-line, flood, got "explode"'],
    [{ rules: [{ action: 'crash', signal: 'SIGFOO' }] }, 'rules[0].signal: unknown signal "SIGFOO"'],
    [{ rules: [{ action: 'hang', ignoreSigterm: 'yes' }] }, 'rules[0].ignoreSigterm: expected a boolean'],
    [{ rules: [{ action: 'fail', rc: 1.5 }] }, 'rules[0].rc: expected a non-negative integer, got 1.5'],
    [{ rules: [{ action: 'fail', exitCode: 1 }] }, 'rules[0]: unknown key "exitCode"'],
    [{ rules: [{ action: 'long-line', lineBytes: -5 }] }, 'rules[0].lineBytes: expected a non-negative integer, got -5'],
    [{ rules: [{ action: 'flood', floodMessages: '10' }] }, 'rules[0].floodMessages: expected a non-negative integer, got "10"'],
    [{ rules: [{ action: 'flood', lineBytes: 10 }] }, 'rules[0].lineBytes: only for action long-line'],
    [{ rules: [{ action: 'hang', floodMessages: 10 }] }, 'rules[0].floodMessages: only for action flood'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseScenario(raw)).toThrow(new ScenarioError(message));
  });
});

describe('planSession', () => {
  const scenario = parseScenario({
    mountDelayMs: 10,
    rules: [
      { command: 'retrieve', times: 2, action: 'fail', rc: 8, message: 'ANS1311E Server out of data storage space' },
      { command: 'retrieve', action: 'hang', mountDelayMs: 99 },
      { command: 'any', action: 'partial', afterFiles: 3 },
    ],
  });

  it('applies a times rule only to the first N invocations of its command', () => {
    expect(planSession(scenario, 'retrieve', new Map([['retrieve', 1]]))).toMatchObject({ action: 'fail', rc: 8, message: 'ANS1311E Server out of data storage space', ruleIndex: 0 });
    expect(planSession(scenario, 'retrieve', new Map([['retrieve', 2]]))).toMatchObject({ action: 'hang', ruleIndex: 1, mountDelayMs: 99, ignoreSignals: true });
  });

  it('falls through to any, then to normal', () => {
    expect(planSession(scenario, 'archive', new Map())).toMatchObject({ action: 'partial', afterFiles: 3, rc: 12, mountDelayMs: 10 });
    expect(planSession(parseScenario({}), 'archive', new Map())).toMatchObject({ action: 'normal', mountDelayMs: 0, bytesPerSecond: 0 });
    expect(planSession(scenario, 'unknown', new Map()).action).toBe('normal');
  });

  it('counts all commands for an any rule with times', () => {
    const anyOnce = parseScenario({ rules: [{ command: 'any', times: 1, action: 'fail' }] });
    expect(planSession(anyOnce, 'delete', new Map([['any', 0]])).action).toBe('fail');
    expect(planSession(anyOnce, 'delete', new Map([['any', 1], ['archive', 1]])).action).toBe('normal');
    expect(needsStartCounts(anyOnce)).toBe(true);
    expect(needsStartCounts(scenario)).toBe(true);
    expect(needsStartCounts(parseScenario({ rules: [{ action: 'hang' }] }))).toBe(false);
  });

  it('reads the sizes of the output misbehaviours, with defaults', () => {
    const plan = (rule: object) => planSession(parseScenario({ rules: [rule] }), 'query', new Map());
    expect(plan({ action: 'long-line', lineBytes: 1000 })).toMatchObject({ action: 'long-line', lineBytes: 1000 });
    expect(plan({ action: 'flood', floodMessages: 7, afterFiles: 1 })).toMatchObject({ action: 'flood', floodMessages: 7, afterFiles: 1 });
    expect(plan({ action: 'long-line' })).toMatchObject({ lineBytes: 100 * 1024 * 1024, floodMessages: 200_000, ignoreSignals: false });
    expect(plan({ action: 'hold-stdout' })).toMatchObject({ action: 'hold-stdout', ignoreSignals: false });
  });

  it('lets a hang honour SIGTERM only when asked', () => {
    expect(planSession(parseScenario({ rules: [{ action: 'hang', ignoreSigterm: false }] }), 'query', new Map()).ignoreSignals).toBe(false);
    expect(planSession(parseScenario({ rules: [{ action: 'crash' }] }), 'query', new Map())).toMatchObject({ signal: 'SIGSEGV', ignoreSignals: false });
  });
});

describe('planPathMatcher', () => {
  it('matches * and ? within the last component only', () => {
    const matches = planPathMatcher('/p/out/*');
    expect(matches('/p/out/A1')).toBe(true);
    expect(matches('/p/out/sub/A1')).toBe(false);
    expect(matches('/p/outer/A1')).toBe(false);
    expect(matches('/p/out/')).toBe(true);
    expect(planPathMatcher('/p/out/A?')('/p/out/A1')).toBe(true);
    expect(planPathMatcher('/p/out/A?')('/p/out/A12')).toBe(false);
    expect(planPathMatcher('/p/out/a.b')('/p/out/aXb')).toBe(false);
    expect(planPathMatcher('/p/out/A1')('/p/out/A1')).toBe(true);
  });
});

describe('catalog and journal parsing', () => {
  const parseCatalog = (text: string): ReturnType<typeof readCatalog> => {
    const bytes = Buffer.from(text);
    let at = 0;
    return readCatalog((buffer, offset, length) => {
      const n = bytes.copy(buffer, offset, at, Math.min(bytes.length, at + length));
      at += n;
      return n;
    });
  };
  const add = (seq: number, path: string): string =>
    JSON.stringify({ op: 'add', seq, path, sizeBytes: seq, volume: 'V', volumeId: 100_001, position: seq, description: 'd', archivedAtMs: 0, sparse: true });

  it('rebuilds the live set from add/del records, skipping a torn line', () => {
    const text = [add(2, '/p/B'), add(1, '/p/A'), add(3, '/p/A'), JSON.stringify({ op: 'del', seq: 2 }), '{"op":"add","se'].join('\n');
    const objects = parseCatalog(text);
    expect(objects.map((object) => [object.seq, object.id])).toEqual([[1, 'A'], [3, 'A']]);
    expect(indexByPath(objects).get('/p/A')?.map((object) => object.seq)).toEqual([1, 3]);
  });

  it('lists query matches by path, duplicates in archive order', () => {
    const objects = parseCatalog([add(3, '/p/out/B'), add(1, '/p/out/C'), add(2, '/p/out/B'), add(4, '/q/out/A')].join('\n'));
    expect(planQueryListing(objects, '/p/out/*').map((object) => [object.id, object.seq])).toEqual([['B', 2], ['B', 3], ['C', 1]]);
  });

  it('skips a torn journal line', () => {
    expect(parseJournal('{"event":"start","timeMs":1,"pid":2}\n{"event":"en')).toHaveLength(1);
  });
});

describe('data planning', () => {
  it('makes a wrong size that is certainly wrong', () => {
    expect(planWrongSize(0)).toBe(1);
    expect(planWrongSize(1)).toBe(0);
    expect(planWrongSize(2)).toBe(1);
    expect(planWrongSize(1001)).toBe(500);
  });

  it('paces in chunks of about a tenth of a second', () => {
    expect(planChunkBytes(5)).toBe(1);
    expect(planChunkBytes(1000)).toBe(100);
    expect(planChunkBytes(1e12)).toBe(1024 * 1024);
  });
});
