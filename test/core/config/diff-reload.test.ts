import { describe, expect, it } from 'vitest';
import { applyOverride, applyReload, diffConfig, rawDiffers, type ConfigSnapshot } from '../../../src/core/config/index.js';
import { snapshotOf } from './helpers.js';

function overridden(base: ConfigSnapshot, data: Record<string, unknown>): ConfigSnapshot {
  const outcome = applyOverride(base, data, '/run/endit/conf-override.json', 1);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.snapshot;
}

describe('diffConfig', () => {
  const base = snapshotOf('archiver_threshold2_usage: 2000');
  const next = overridden(base, {
    archiver_threshold2_usage: 0,
    archiver_threshold3_usage: 3000,
    archiver_timeout: 600,
    retriever_maxworkers: 5,
    deleter_volumequiet: 60,
    verbose: 0,
  });

  it.each([
    [
      'archiver',
      [
        'Conf: Removed: archiver_threshold2_usage 2000',
        'Conf: Added: archiver_threshold3_usage 3000',
        'Conf: Changed: archiver_timeout 21600 -> 600',
        'Conf: Changed: verbose 1 -> 0',
      ],
    ],
    ['retriever', ['Conf: Changed: retriever_maxworkers 1 -> 5', 'Conf: Changed: verbose 1 -> 0']],
    ['deleter', ['Conf: Changed: deleter_volumequiet 0 -> 60', 'Conf: Changed: verbose 1 -> 0']],
    ['tapehints', ['Conf: Changed: verbose 1 -> 0']],
    ['cli', ['Conf: Changed: verbose 1 -> 0']],
  ] as const)('logs for the %s only common keys and its own, sorted by key', (scope, lines) => {
    expect(diffConfig(base, next, scope)).toEqual(lines);
  });

  it('logs the way back as Changed/Added lines', () => {
    expect(diffConfig(next, base, 'archiver')).toEqual([
      'Conf: Added: archiver_threshold2_usage 2000',
      'Conf: Removed: archiver_threshold3_usage 3000',
      'Conf: Changed: archiver_timeout 600 -> 21600',
      'Conf: Changed: verbose 0 -> 1',
    ]);
  });

  it('is empty for equal snapshots', () => {
    expect(diffConfig(base, snapshotOf('archiver_threshold2_usage: 2000'), 'archiver')).toEqual([]);
    expect(rawDiffers(base, snapshotOf('archiver_threshold2_usage: 2000'))).toBe(false);
    expect(rawDiffers(base, next)).toBe(true);
  });
});

describe('applyReload', () => {
  it('takes reloadable keys from the new file without warnings', () => {
    const running = snapshotOf();
    const fresh = snapshotOf('sleeptime: 30', 'archiver_timeout: 100', 'desc-long: renamed');
    const { snapshot, warnings } = applyReload(running, fresh);
    expect(warnings).toEqual([]);
    expect(snapshot.values.sleeptime).toBe(30);
    expect(snapshot.values['desc-long']).toBe('renamed');
    expect(snapshot.raw).toEqual(fresh.raw);
  });

  it.each([
    ['dir: /other/pool', 'dir', '/grid/pool'],
    ['logdir: -', 'logdir', '/var/log/dcache'],
    ['currstatsdir: /var/run/x', 'currstatsdir', '/run/endit'],
    ['dsmc_executable: /bin/false', 'dsmc_executable', 'dsmc'],
    ['desc-short: pool2', 'desc-short', 'pool1'],
    ['confoverridefile: /tmp/o.json', 'confoverridefile', '/run/endit/conf-override.json'],
    ['log_format: json', 'log_format', 'text'],
  ])('keeps %s at its running value with a warning', (line, key, kept) => {
    const running = snapshotOf();
    const { snapshot, warnings } = applyReload(running, snapshotOf(line, 'sleeptime: 30'));
    expect(warnings).toEqual([`Conf: ${key} cannot change at run time (restart needed): kept ${kept}`]);
    expect(snapshot.raw[key]).toBe(kept);
    expect(snapshot.values[key as keyof typeof snapshot.values]).toBe(kept);
    expect(snapshot.sources[key]).toBe(running.sources[key]);
    expect(snapshot.values.sleeptime).toBe(30);
    expect(Object.isFrozen(snapshot.values)).toBe(true);
  });
});
