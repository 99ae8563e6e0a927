import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  archiverThresholds,
  parseMainConfig,
  parseSchedule,
  type ConfigValues,
} from '../../../src/core/config/index.js';
import { FILE, REQUIRED_LINES, problemsOf, snapshotOf } from './helpers.js';

describe('defaults', () => {
  it('fills in every default and converts values once', () => {
    const { values, raw, sources } = snapshotOf();
    expect(values).toEqual({
      'desc-short': 'pool1',
      'desc-long': 'ENDIT on test host',
      dir: '/grid/pool',
      logdir: '/var/log/dcache',
      confoverridefile: '/run/endit/conf-override.json',
      currstatsdir: '/run/endit',
      dsmcopts: ['-asnode=NODE', '-errorlogname=/var/log/dcache/dsmerror.log'],
      dsmc_displayopts: ['-dateformat=3', '-timeformat=1', '-numberformat=1'],
      dsmc_executable: 'dsmc',
      dsmc_cpulimit: 172800,
      dsmc_stalltimeout: 1800,
      sleeptime: 60,
      retry_backoff_max: 3600,
      log_format: 'text',
      verbose: true,
      debug: false,
      archiver_timeout: 21600,
      archiver_retrytimeout: 3600,
      archiver_timeout_dsmcopts: [],
      archiver_threshold1_usage: 500,
      archiver_threshold2_usage: undefined,
      archiver_threshold3_usage: undefined,
      archiver_threshold4_usage: undefined,
      archiver_threshold5_usage: undefined,
      archiver_threshold6_usage: undefined,
      archiver_threshold7_usage: undefined,
      archiver_threshold8_usage: undefined,
      archiver_threshold9_usage: undefined,
      retriever_maxworkers: 1,
      retriever_remountdelay: 7200,
      retriever_hintfile: undefined,
      retriever_reqlistfillwait: 600,
      retriever_reqlistfillwaitmax: 7200,
      retriever_buffersize: 100,
      retriever_backlogthreshold: 10,
      retriever_killthreshold: 95,
      deleter_queueprocinterval: '0 0 1 * *',
      deleter_volumequiet: 0,
      retriever_mountretention: 3600,
      retriever_maxsessionbytes: 0,
      retriever_maxsessionfiles: 0,
    });
    expect(raw['sleeptime']).toBe('60');
    expect(raw['deleter_queueprocinterval']).toBe('monthly');
    expect(raw).not.toHaveProperty('retriever_hintfile');
    expect(sources['sleeptime']).toBe('default');
    expect(sources['dir']).toBe('file');
  });

  it('has a typed ConfigValues', () => {
    const { values } = snapshotOf();
    expectTypeOf(values.sleeptime).toEqualTypeOf<number>();
    expectTypeOf(values.archiver_threshold2_usage).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.dsmcopts).toEqualTypeOf<readonly string[]>();
    expectTypeOf(values.verbose).toEqualTypeOf<boolean>();
    expectTypeOf(values.log_format).toEqualTypeOf<'text' | 'json'>();
    expectTypeOf(values.retriever_hintfile).toEqualTypeOf<string | undefined>();
    expectTypeOf(values['desc-short']).toEqualTypeOf<string>();
  });

  it('is frozen', () => {
    const snapshot = snapshotOf();
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.values)).toBe(true);
    expect(Object.isFrozen(snapshot.values.dsmcopts)).toBe(true);
    expect(Object.isFrozen(snapshot.raw)).toBe(true);
  });
});

describe('required keys', () => {
  it.each(['dir', 'logdir', 'dsmcopts', 'desc-short', 'desc-long'])('%s missing is an error naming the file and the key', (key) => {
    const text = REQUIRED_LINES.filter((line) => !line.startsWith(`${key}:`)).join('\n');
    const outcome = parseMainConfig(text, FILE);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toEqual([expect.stringMatching(new RegExp(`^${FILE}: ${key}: required key missing: expected `))]);
  });

  it('reports every problem, one line each', () => {
    const outcome = parseMainConfig('sleeptime: abc\n', FILE);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toHaveLength(6);
    for (const problem of outcome.problems) expect(problem).not.toContain('\n');
  });
});

describe('validation of each kind', () => {
  it.each([
    ['sleeptime: abc', 'sleeptime', 'abc', 'expected a positive integer'],
    ['sleeptime: 0', 'sleeptime', '0', 'expected a positive integer'],
    ['sleeptime: -5', 'sleeptime', '-5', 'expected a positive integer'],
    ['sleeptime: 1.5', 'sleeptime', '1.5', 'expected a positive integer'],
    ['sleeptime: 99999999999999999999', 'sleeptime', '99999999999999999999', 'expected a positive integer'],
    ['dsmc_cpulimit: lots', 'dsmc_cpulimit', 'lots', 'expected a positive integer'],
    ['archiver_timeout: 6h', 'archiver_timeout', '6h', 'expected a positive integer'],
    ['retry_backoff_max: 0', 'retry_backoff_max', '0', 'expected a positive integer'],
    ['archiver_threshold1_usage: 0', 'archiver_threshold1_usage', '0', 'expected a positive integer'],
    ['archiver_threshold2_usage: -1', 'archiver_threshold2_usage', '-1', 'expected a non-negative integer (0: unset)'],
    ['deleter_volumequiet: soon', 'deleter_volumequiet', 'soon', 'expected a non-negative integer'],
    ['retriever_killthreshold: 0', 'retriever_killthreshold', '0', 'expected an integer percentage from 1 to 100'],
    ['retriever_killthreshold: 101', 'retriever_killthreshold', '101', 'expected an integer percentage from 1 to 100'],
    ['retriever_backlogthreshold: 10%', 'retriever_backlogthreshold', '10%', 'expected an integer percentage from 1 to 100'],
    ['verbose: yes', 'verbose', 'yes', 'expected 0 or 1'],
    ['debug: 2', 'debug', '2', 'expected 0 or 1'],
    ['log_format: xml', 'log_format', 'xml', 'expected one of text, json'],
    [
      'deleter_queueprocinterval: fortnightly',
      'deleter_queueprocinterval',
      'fortnightly',
      'expected minutely, hourly, daily, weekly, monthly or a 5-field crontab expression',
    ],
  ])('%s', (line, key, value, expected) => {
    expect(problemsOf(line)).toEqual([`${FILE}: ${key}: invalid value '${value}': ${expected}`]);
  });

  it('names the file and the key in one line for sleeptime: abc', () => {
    expect(problemsOf('sleeptime: abc')).toEqual([
      '/etc/endit/endit.conf: sleeptime: invalid value \'abc\': expected a positive integer',
    ]);
  });

  it.each([
    ['sleeptime: 0060', 'sleeptime', 60],
    ['deleter_volumequiet: 0', 'deleter_volumequiet', 0],
    ['deleter_volumequiet: 86400', 'deleter_volumequiet', 86400],
    ['retriever_killthreshold: 100', 'retriever_killthreshold', 100],
    ['retriever_backlogthreshold: 1', 'retriever_backlogthreshold', 1],
    ['verbose: 0', 'verbose', false],
    ['debug: 1', 'debug', true],
    ['log_format: json', 'log_format', 'json'],
    ['retriever_hintfile: /var/spool/endit/hints.json', 'retriever_hintfile', '/var/spool/endit/hints.json'],
    ['logdir: -', 'logdir', '-'],
    ['dsmc_executable: /opt/tivoli/tsm/client/ba/bin/dsmc', 'dsmc_executable', '/opt/tivoli/tsm/client/ba/bin/dsmc'],
  ])('accepts %s', (line, key, expected) => {
    expect(snapshotOf(line).values[key as keyof ConfigValues]).toEqual(expected);
  });
});

describe('option lists', () => {
  it.each([
    ['-a', ['-a']],
    ['-a, -b', ['-a', '-b']],
    ['-a,  -b', ['-a', '-b']],
    ['-a, , -b', ['-a', '-b']],
    ['-a,-b, -c', ['-a,-b', '-c']],
    ['-errorlogname=/x:y, -asnode=N', ['-errorlogname=/x:y', '-asnode=N']],
  ])('splits %j on ", "', (value, expected) => {
    expect(snapshotOf(`archiver_timeout_dsmcopts: ${value}`).values.archiver_timeout_dsmcopts).toEqual(expected);
  });
});

describe('deleter_queueprocinterval', () => {
  it.each([
    ['minutely', '* * * * *'],
    ['hourly', '0 * * * *'],
    ['daily', '0 0 * * *'],
    ['weekly', '0 0 * * 1'],
    ['monthly', '0 0 1 * *'],
    ['0 3 * * *', '0 3 * * *'],
    ['*/15   2-4  * * 1-5', '*/15 2-4 * * 1-5'],
    ['30 1 1,15 * *', '30 1 1,15 * *'],
  ])('normalizes %j to %j', (value, expected) => {
    expect(parseSchedule(value)).toBe(expected);
    expect(snapshotOf(`deleter_queueprocinterval: ${value}`).values.deleter_queueprocinterval).toBe(expected);
  });

  it.each(['0 0 0 1 * *', '* * * *', '61 * * * *', '0 25 * * *', 'yearly', '@monthly', 'constructor', 'Monthly'])(
    'rejects %j',
    (value) => {
      expect(parseSchedule(value)).toBeUndefined();
      expect(problemsOf(`deleter_queueprocinterval: ${value}`)).toEqual([
        `${FILE}: deleter_queueprocinterval: invalid value '${value}': expected minutely, hourly, daily, weekly, monthly or a 5-field crontab expression`,
      ]);
    },
  );
});

describe('archiver thresholds', () => {
  it.each([
    [['archiver_threshold2_usage: 2000'], [500, 2000]],
    [['archiver_threshold2_usage: 1000', 'archiver_threshold3_usage: 2000', 'archiver_threshold9_usage: 9000'], [500, 1000, 2000, 9000]],
    [['archiver_threshold2_usage: 0', 'archiver_threshold3_usage: 2000'], [500, 2000]],
    [['archiver_threshold1_usage: 10', 'archiver_threshold5_usage: 11'], [10, 11]],
  ])('accepts increasing thresholds %j', (lines, usages) => {
    const { values } = snapshotOf(...lines);
    expect(archiverThresholds(values).map((t) => t.usageGiB)).toEqual(usages);
  });

  it('treats threshold 0 as unset', () => {
    const { values } = snapshotOf('archiver_threshold2_usage: 0');
    expect(values.archiver_threshold2_usage).toBeUndefined();
    expect(archiverThresholds(values)).toEqual([{ sessions: 1, usageGiB: 500 }]);
  });

  it('keeps the session count of each set threshold', () => {
    const { values } = snapshotOf('archiver_threshold4_usage: 4000');
    expect(archiverThresholds(values)).toEqual([
      { sessions: 1, usageGiB: 500 },
      { sessions: 4, usageGiB: 4000 },
    ]);
  });

  it.each([
    [['archiver_threshold2_usage: 500'], 'archiver_threshold2_usage', '500', 'archiver_threshold1_usage (500)'],
    [['archiver_threshold2_usage: 100'], 'archiver_threshold2_usage', '100', 'archiver_threshold1_usage (500)'],
    // The Perl check never advanced its "previous" value and accepted this.
    [
      ['archiver_threshold2_usage: 2000', 'archiver_threshold3_usage: 1500'],
      'archiver_threshold3_usage',
      '1500',
      'archiver_threshold2_usage (2000)',
    ],
    [
      ['archiver_threshold2_usage: 2000', 'archiver_threshold4_usage: 3000', 'archiver_threshold7_usage: 2500'],
      'archiver_threshold7_usage',
      '2500',
      'archiver_threshold4_usage (3000)',
    ],
  ])('rejects non-increasing thresholds %j', (lines, key, value, lower) => {
    expect(problemsOf(...lines)).toEqual([`${FILE}: ${key}: invalid value '${value}': expected more than ${lower}`]);
  });
});

describe('fault 5: desc-short is used in file names', () => {
  it.each(['../x', 'a/b', '.', '..', 'pool 1', 'pool$1', 'pööl', '/abs'])('%j is a fatal error naming the key', (value) => {
    expect(problemsOf(`desc-short: ${value}`)).toEqual([
      `${FILE}: desc-short: invalid value '${value}': expected letters, digits, '.', '_' and '-' only (not . or ..): it is used in file names`,
    ]);
  });

  it.each(['pool1', 'dcache-pool_2.a', '...', 'x..y'])('%j is accepted', (value) => {
    expect(snapshotOf(`desc-short: ${value}`).values['desc-short']).toBe(value);
  });
});
