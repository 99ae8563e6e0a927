import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { GIB } from '../../core/units.js';
/** With retriever_buffersize 1 the retriever starts nothing below 2 GiB free (SPEC 6.5). */
export const DEMO_MIN_FREE_BYTES = 2 * GIB;

/** The package's root directory (src/cli/demo or dist/cli/demo → three levels up). */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

export function binPath(program: string): string {
  return path.join(packageRoot(), 'bin', program);
}

/** Everything the demo creates, under one temporary directory. */
export interface DemoPaths {
  readonly root: string;
  /** The pool directory (SPEC 2). */
  readonly dir: string;
  readonly logdir: string;
  readonly statsdir: string;
  /** The fake tape library. */
  readonly library: string;
  /** dCache's own copies of the files (the pool's data directory). */
  readonly store: string;
  readonly config: string;
  readonly scenario: string;
  readonly hintfile: string;
}

export function planDemoPaths(root: string): DemoPaths {
  return {
    root,
    dir: path.join(root, 'pool'),
    logdir: path.join(root, 'log'),
    statsdir: path.join(root, 'stats'),
    library: path.join(root, 'library'),
    store: path.join(root, 'dcache-pool'),
    config: path.join(root, 'endit.conf'),
    scenario: path.join(root, 'fake-dsmc-scenario.json'),
    hintfile: path.join(root, 'tapehints.json'),
  };
}

/** Short, realistic settings: one-second cycles, a flush after 2 s of waiting, short fill waits. */
export function demoConfigText(paths: DemoPaths): string {
  const entries: [string, string][] = [
    ['desc-short', 'demo'],
    ['desc-long', 'endit demo pool (temporary, fake tape library)'],
    ['dir', paths.dir],
    ['logdir', paths.logdir],
    ['currstatsdir', paths.statsdir],
    ['confoverridefile', path.join(paths.root, 'conf-override.json')],
    ['dsmcopts', `-asnode=DEMONODE, -errorlogname=${path.join(paths.logdir, 'dsmerror.log')}`],
    ['dsmc_executable', binPath('fake-dsmc')],
    ['sleeptime', '1'],
    ['archiver_timeout', '2'],
    ['archiver_retrytimeout', '2'],
    ['archiver_threshold1_usage', '1'],
    ['retriever_maxworkers', '2'],
    ['retriever_remountdelay', '5'],
    ['retriever_hintfile', paths.hintfile],
    ['retriever_reqlistfillwait', '1'],
    ['retriever_reqlistfillwaitmax', '3'],
    ['retriever_buffersize', '1'],
    ['retriever_backlogthreshold', '10'],
    ['retriever_killthreshold', '95'],
    ['deleter_queueprocinterval', 'monthly'],
    ['verbose', '1'],
  ];
  return `# endit demo configuration (written by endit demo)\n${entries.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/** The fake library: 1.5 s per mount, 50 MiB/s, six files per volume; queries and deletes mount nothing. */
export const DEMO_SCENARIO = {
  mountDelayMs: 1500,
  bytesPerSecond: 50 * 1024 * 1024,
  filesPerVolume: 6,
  rules: [
    { command: 'query', action: 'succeed', mountDelayMs: 200 },
    { command: 'delete', action: 'succeed', mountDelayMs: 300 },
  ],
};

/** Creates the temporary tree and writes the config and the scenario. */
export function createDemoTree(): DemoPaths {
  const paths = planDemoPaths(fs.mkdtempSync(path.join(os.tmpdir(), 'endit-demo-')));
  for (const dir of [paths.dir, paths.logdir, paths.statsdir, paths.library, paths.store]) fs.mkdirSync(dir);
  fs.writeFileSync(paths.config, demoConfigText(paths));
  fs.writeFileSync(paths.scenario, `${JSON.stringify(DEMO_SCENARIO, null, 2)}\n`);
  // As if endit-tapehints had run on the still empty library: the retriever finds a hint file from the start.
  fs.writeFileSync(paths.hintfile, '{}\n');
  return paths;
}

/** Free bytes for an unprivileged user on the filesystem of `dir`. */
export function freeBytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** The environment of the daemons: the fake library; no inherited ENDIT_* that would redirect them. */
export function demoEnv(paths: DemoPaths, base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !key.startsWith('ENDIT_') && !key.startsWith('FAKE_DSMC_')) env[key] = value;
  return { ...env, FAKE_DSMC_LIBRARY: paths.library, FAKE_DSMC_SCENARIO: paths.scenario };
}
