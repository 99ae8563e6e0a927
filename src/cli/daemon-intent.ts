// Whether the administrator wants a daemon to run: a daemon disabled on
// purpose that is not running is not a problem for `endit status`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './cli-io.js';
import { DAEMON_NAMES, type DaemonIntent, type DaemonName } from './status-daemon.js';

/** `--expect archiver,retriever`: exactly these daemons should run. Pure. */
export function parseExpectList(text: string): Set<DaemonName> {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const expected = new Set<DaemonName>();
  for (const name of names) {
    const known = DAEMON_NAMES.find((d) => d === name);
    if (known === undefined) throw new UsageError(`--expect: '${name}' is not one of ${DAEMON_NAMES.join(', ')}`);
    expected.add(known);
  }
  return expected;
}

/** `systemctl is-enabled` answers: enabled in some way, disabled on purpose, or unknown (no such unit, no systemd). Pure. */
export function classifyUnitState(answer: string | undefined): DaemonIntent {
  switch (answer?.trim().split('\n')[0]) {
    case 'enabled':
    case 'enabled-runtime':
    case 'static':
    case 'indirect':
    case 'generated':
    case 'transient':
    case 'linked':
    case 'linked-runtime':
    case 'alias':
      return 'expected';
    case 'disabled':
    case 'masked':
    case 'masked-runtime':
      return 'disabled';
    default:
      return 'unknown';
  }
}

/**
 * The units that may run `daemon` with this configuration:
 * endit-<daemon>.service, and endit-<daemon>@<name>.service for
 * /etc/endit/<name>.conf (the template units' convention). Pure.
 */
export function planDaemonUnits(daemon: DaemonName, configFile: string): string[] {
  const units = [`endit-${daemon}.service`];
  const instance = /^(.+)\.conf$/.exec(path.basename(configFile))?.[1];
  if (instance !== undefined && instance !== 'endit') units.push(`endit-${daemon}@${instance}.service`);
  return units;
}

/** Expected if any of the units is enabled; disabled if one is and none is enabled; else unknown. Pure. */
export function decideIntent(states: readonly DaemonIntent[]): DaemonIntent {
  if (states.includes('expected')) return 'expected';
  return states.includes('disabled') ? 'disabled' : 'unknown';
}

function findSystemctl(searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter).filter((d) => d !== '')) {
    const file = path.join(dir, 'systemctl');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function askSystemctl(systemctl: string, unit: string): string | undefined {
  // is-enabled reads the unit files only: it works without a running systemd, for any user.
  const result = spawnSync(systemctl, ['is-enabled', unit], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  return result.error === undefined ? result.stdout : undefined;
}

/** Each daemon's intent: from `--expect` when given, else from systemctl where it exists, else unknown. */
export function scanDaemonIntents(
  expectOption: string | undefined,
  configFile: string,
  env: Readonly<Record<string, string | undefined>>,
): Record<DaemonName, DaemonIntent> {
  const expected = expectOption === undefined ? undefined : parseExpectList(expectOption);
  const systemctl = expected === undefined ? findSystemctl(env['PATH']) : undefined;
  const intentOf = (daemon: DaemonName): DaemonIntent => {
    if (expected !== undefined) return expected.has(daemon) ? 'expected' : 'disabled';
    if (systemctl === undefined) return 'unknown';
    return decideIntent(planDaemonUnits(daemon, configFile).map((unit) => classifyUnitState(askSystemctl(systemctl, unit))));
  };
  return { archiver: intentOf('archiver'), retriever: intentOf('retriever'), deleter: intentOf('deleter') };
}
