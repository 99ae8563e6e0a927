import { parseMainConfig, type ConfigSnapshot } from '../../../src/core/config/index.js';

export const FILE = '/etc/endit/endit.conf';

export const REQUIRED_LINES = [
  'desc-short: pool1',
  'desc-long: ENDIT on test host',
  'dir: /grid/pool',
  'logdir: /var/log/dcache',
  'dsmcopts: -asnode=NODE, -errorlogname=/var/log/dcache/dsmerror.log',
];

/** A valid main file: the required keys plus `extra` lines. */
export function configText(...extra: string[]): string {
  return [...REQUIRED_LINES, ...extra].join('\n') + '\n';
}

export function snapshotOf(...extra: string[]): ConfigSnapshot {
  const outcome = parseMainConfig(configText(...extra), FILE);
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  return outcome.snapshot;
}

export function problemsOf(...extra: string[]): readonly string[] {
  const outcome = parseMainConfig(configText(...extra), FILE);
  if (outcome.ok) throw new Error('expected the configuration to be rejected');
  return outcome.problems;
}
