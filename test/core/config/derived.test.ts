import { describe, expect, it } from 'vitest';
import { applyOverride, applyReload } from '../../../src/core/config/index.js';
import { GIB } from '../../../src/core/units.js';
import { snapshotOf } from './helpers.js';

describe('values in base units, derived once when a snapshot is made', () => {
  it('converts every key with a unit: seconds to ms, GiB to bytes', () => {
    const { derived } = snapshotOf(
      'sleeptime: 30',
      'retry_backoff_max: 600',
      'archiver_timeout: 100',
      'archiver_retrytimeout: 50',
      'archiver_threshold1_usage: 10',
      'archiver_threshold3_usage: 30',
      'retriever_remountdelay: 7',
      'retriever_reqlistfillwait: 8',
      'retriever_reqlistfillwaitmax: 9',
      'retriever_buffersize: 2',
      'deleter_volumequiet: 11',
      'retriever_mountretention: 13',
      'retriever_maxsessionbytes: 3',
      'dsmc_stalltimeout: 17',
    );
    expect(derived).toEqual({
      sleepMs: 30_000,
      dsmcStallTimeoutMs: 17_000,
      retryBackoffMaxMs: 600_000,
      archiverTimeoutMs: 100_000,
      archiverRetryTimeoutMs: 50_000,
      archiverThresholdsBytes: [10 * GIB, undefined, 30 * GIB, undefined, undefined, undefined, undefined, undefined, undefined],
      retrieverRemountDelayMs: 7_000,
      retrieverFillWaitMs: 8_000,
      retrieverFillWaitMaxMs: 9_000,
      retrieverBufferBytes: 2 * GIB,
      deleterVolumeQuietMs: 11_000,
      retrieverMountRetentionMs: 13_000,
      retrieverMaxSessionBytes: 3 * GIB,
    });
    expect(Object.isFrozen(derived)).toBe(true);
  });

  it('follows the override and a reload, which make new snapshots', () => {
    const base = snapshotOf('sleeptime: 30');
    const overridden = applyOverride(base, { retry_backoff_max: 90 }, '/run/endit/conf-override.json', 1);
    expect(overridden.ok && overridden.snapshot.derived.retryBackoffMaxMs).toBe(90_000);
    const reloaded = applyReload(base, snapshotOf('sleeptime: 5'));
    expect(reloaded.snapshot.derived.sleepMs).toBe(5_000);
  });
});
