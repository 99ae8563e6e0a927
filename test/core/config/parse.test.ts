import { describe, expect, it } from 'vitest';
import { classifyLine, parseConfigText, parseMainConfig } from '../../../src/core/config/index.js';
import { FILE, configText } from './helpers.js';

describe('classifyLine', () => {
  it.each([
    ['# a comment', { kind: 'skip' }],
    ['#dir: /x', { kind: 'skip' }],
    ['', { kind: 'skip' }],
    ['   \t ', { kind: 'skip' }],
    ['\r', { kind: 'skip' }],
    ['dir: /grid/pool', { kind: 'pair', key: 'dir', value: '/grid/pool' }],
    ['dir:\t/grid/pool', { kind: 'pair', key: 'dir', value: '/grid/pool' }],
    ['dir:    /grid/pool   ', { kind: 'pair', key: 'dir', value: '/grid/pool' }],
    ['dir: /grid/pool\r', { kind: 'pair', key: 'dir', value: '/grid/pool' }],
    ['dsmcopts: -errorlogname=/x:y', { kind: 'pair', key: 'dsmcopts', value: '-errorlogname=/x:y' }],
    ['desc-long: pool: the big one', { kind: 'pair', key: 'desc-long', value: 'pool: the big one' }],
    ['dir:/grid/pool', { kind: 'garbage' }],
    ['just some words', { kind: 'garbage' }],
    [' dir: /grid/pool', { kind: 'garbage' }],
    ['dir : /grid/pool', { kind: 'garbage' }],
    ['  # indented comment', { kind: 'garbage' }],
    ['dir: ', { kind: 'garbage' }],
    [': value', { kind: 'garbage' }],
  ])('%j', (line, expected) => {
    expect(classifyLine(line)).toEqual(expected);
  });
});

describe('parseConfigText', () => {
  it('skips comments and blank lines and keeps a colon in a value', () => {
    const outcome = parseConfigText('# comment\n\n   \ndsmcopts: -errorlogname=/x:y\r\nsleeptime: 30\n', FILE);
    expect(outcome).toEqual({ ok: true, entries: { dsmcopts: '-errorlogname=/x:y', sleeptime: '30' }, warnings: [] });
  });

  it.each([
    ['sleeptime 60', 2, 'sleeptime 60'],
    [' sleeptime: 60', 2, ' sleeptime: 60'],
    ['sleeptime : 60', 2, 'sleeptime : 60'],
  ])('a line that does not split (%j) is fatal, naming the file, the line number and the line', (line, lineNo, shown) => {
    const outcome = parseConfigText(`# header\n${line}\n`, FILE);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBe(
      `${FILE}: line ${lineNo}: cannot parse '${shown}': expected 'key: value' with no white space around the key`,
    );
    expect(outcome.error).not.toContain('\n');
  });

  it.each([
    ['timeout', 'archiver_timeout'],
    ['minusage', 'archiver_threshold1_usage'],
    ['maxretrievers', 'retriever_maxworkers'],
    ['tapefile', 'retriever_hintfile'],
    ['remounttime', 'retriever_remountdelay'],
  ])('maps the deprecated key %s to %s with a warning', (old, name) => {
    const outcome = parseConfigText(`${old}: 42\n`, FILE);
    expect(outcome).toEqual({
      ok: true,
      entries: { [name]: '42' },
      warnings: [`${FILE}: line 1: key '${old}' is deprecated, use '${name}' instead`],
    });
  });

  it.each(['hsminstance', 'remotedirs', 'pollinginterval', 'maxusage', 'archiver_threshold1_dsmcopts', 'archiver_threshold9_dsmcopts'])(
    'warns about and skips the obsolete key %s',
    (key) => {
      const outcome = parseConfigText(`${key}: x\n`, FILE);
      expect(outcome).toEqual({ ok: true, entries: {}, warnings: [`${FILE}: line 1: obsolete key '${key}', skipped`] });
    },
  );

  it.each(['frobnicate', 'constructor', 'toString', '__proto__'])('warns about and skips the unknown key %s', (key) => {
    const outcome = parseConfigText(`${key}: x\n`, FILE);
    expect(outcome).toEqual({ ok: true, entries: {}, warnings: [`${FILE}: line 1: unknown key '${key}', skipped`] });
  });

  it('lets a later line win, with a warning', () => {
    const outcome = parseConfigText('sleeptime: 10\nsleeptime: 20\n', FILE);
    expect(outcome).toEqual({
      ok: true,
      entries: { sleeptime: '20' },
      warnings: [`${FILE}: line 2: sleeptime set again, replacing line 1`],
    });
  });
});

describe('parseMainConfig', () => {
  it('passes the parse warnings through with the snapshot', () => {
    const outcome = parseMainConfig(configText('timeout: 100', 'maxusage: 5', 'bogus: 1'), FILE);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.snapshot.values.archiver_timeout).toBe(100);
    expect(outcome.warnings).toHaveLength(3);
  });

  it('a fatal line makes the whole file fail', () => {
    const outcome = parseMainConfig(configText('garbage line'), FILE);
    expect(outcome).toMatchObject({ ok: false, problems: [expect.stringContaining(`${FILE}: line 6: cannot parse 'garbage line'`)] });
  });
});
