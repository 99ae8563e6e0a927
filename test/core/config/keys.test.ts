import { describe, expect, it } from 'vitest';
import { DEPRECATED_KEYS, KEY_TABLE, OBSOLETE_KEYS, isConfigKey, keySpec, scopeOfKey } from '../../../src/core/config/index.js';

const names = (filter: (spec: (typeof KEY_TABLE)[number]) => boolean): string[] =>
  KEY_TABLE.filter(filter)
    .map((spec) => spec.name)
    .sort();

describe('the key table', () => {
  it('holds every key of SPEC 3.1 and the new keys', () => {
    expect(KEY_TABLE.map((spec) => spec.name).sort()).toEqual(
      [
        'desc-short', 'desc-long', 'dir', 'logdir', 'confoverridefile', 'currstatsdir', 'dsmcopts',
        'dsmc_displayopts', 'dsmc_executable', 'dsmc_cpulimit', 'dsmc_stalltimeout', 'sleeptime', 'archiver_timeout',
        'archiver_retrytimeout', 'archiver_timeout_dsmcopts',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `archiver_threshold${n}_usage`),
        'retriever_maxworkers', 'retriever_remountdelay', 'retriever_hintfile', 'retriever_reqlistfillwait',
        'retriever_reqlistfillwaitmax', 'retriever_buffersize', 'retriever_backlogthreshold',
        'retriever_killthreshold', 'deleter_queueprocinterval', 'verbose', 'debug',
        'retry_backoff_max', 'log_format', 'deleter_volumequiet',
        'retriever_mountretention', 'retriever_maxsessionbytes', 'retriever_maxsessionfiles',
      ].sort(),
    );
  });

  it('marks the required keys', () => {
    expect(names((s) => s.required)).toEqual(['desc-long', 'desc-short', 'dir', 'dsmcopts', 'logdir']);
  });

  it('marks exactly the overridable keys of SPEC 3.1 and section 11', () => {
    expect(names((s) => s.overridable)).toEqual(
      [
        'archiver_timeout', 'archiver_retrytimeout',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `archiver_threshold${n}_usage`),
        'retriever_maxworkers', 'retriever_remountdelay', 'retriever_reqlistfillwait', 'retriever_reqlistfillwaitmax',
        'retriever_buffersize', 'retriever_backlogthreshold', 'retriever_killthreshold',
        'verbose', 'debug', 'retry_backoff_max', 'deleter_volumequiet',
        'retriever_mountretention', 'retriever_maxsessionbytes', 'retriever_maxsessionfiles',
      ].sort(),
    );
  });

  it('never lets the override change programs or directories', () => {
    for (const key of ['dir', 'logdir', 'currstatsdir', 'confoverridefile', 'dsmc_executable', 'dsmcopts', 'retriever_hintfile']) {
      expect(keySpec(key)?.overridable).toBe(false);
    }
  });

  it('marks the keys that need a restart', () => {
    expect(names((s) => !s.reloadable)).toEqual(
      ['confoverridefile', 'currstatsdir', 'desc-short', 'dir', 'dsmc_executable', 'log_format', 'logdir'].sort(),
    );
  });

  it('has a description for every key and a default or example where documented', () => {
    for (const spec of KEY_TABLE) expect(spec.description.length).toBeGreaterThan(10);
    expect(keySpec('retry_backoff_max')?.default).toBe('3600');
    expect(keySpec('log_format')?.default).toBe('text');
    expect(keySpec('deleter_volumequiet')?.default).toBe('0');
  });

  it.each([
    ['dir', 'common'],
    ['desc-short', 'common'],
    ['dsmc_cpulimit', 'common'],
    ['retry_backoff_max', 'common'],
    ['archiver_timeout', 'archiver'],
    ['archiver_threshold5_usage', 'archiver'],
    ['retriever_hintfile', 'retriever'],
    ['deleter_queueprocinterval', 'deleter'],
    ['deleter_volumequiet', 'deleter'],
  ])('derives the scope of %s: %s', (key, scope) => {
    expect(scopeOfKey(key)).toBe(scope);
    expect(keySpec(key)?.scope).toBe(scope);
  });

  it('maps the deprecated names and lists the obsolete ones', () => {
    expect(DEPRECATED_KEYS).toEqual({
      timeout: 'archiver_timeout',
      minusage: 'archiver_threshold1_usage',
      maxretrievers: 'retriever_maxworkers',
      tapefile: 'retriever_hintfile',
      remounttime: 'retriever_remountdelay',
    });
    expect([...OBSOLETE_KEYS].sort()).toEqual(
      ['hsminstance', 'remotedirs', 'pollinginterval', 'maxusage', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `archiver_threshold${n}_dsmcopts`)].sort(),
    );
    for (const name of [...Object.keys(DEPRECATED_KEYS), ...OBSOLETE_KEYS]) expect(isConfigKey(name)).toBe(false);
  });
});
