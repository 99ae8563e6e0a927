/**
 * Temporary pools of the bench, and everything that must not outlive it: the
 * daemons it started, their fake dsmc sessions, and directories of a million
 * files. `cleanupAll` is synchronous so that it can run from a signal handler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { killProcessesMentioning } from './proc-probe.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FAKE_DSMC = path.join(REPO_ROOT, 'bin', 'fake-dsmc');
export const HSM = 'bench';

export interface BenchPool {
  readonly root: string;
  readonly dir: string;
  readonly logdir: string;
  readonly statsdir: string;
  readonly library: string;
  readonly configPath: string;
  readonly scenarioPath: string;
  readonly hintPath: string;
  readonly journalPath: string;
  sub(name: 'out' | 'in' | 'request' | 'requestlists' | 'trash' | 'trash/queue'): string;
  writeConfig(values: Record<string, string | number>): void;
  writeScenario(scenario: unknown): void;
  env(): Record<string, string>;
}

const roots = new Set<string>();
const children = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.on('exit', () => children.delete(child));
}

/** Removes a directory tree with `rm -rf` (much faster than Node at a million files). */
export function removeTree(dir: string): void {
  spawnSync('rm', ['-rf', '--', dir], { stdio: 'ignore' });
  if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
}

export function createPool(label: string, tmpdir = os.tmpdir()): BenchPool {
  const root = fs.mkdtempSync(path.join(tmpdir, `endit-bench-${label}-`));
  roots.add(root);
  const dir = path.join(root, 'pool');
  const logdir = path.join(root, 'log');
  const statsdir = path.join(root, 'stats');
  const library = path.join(root, 'library');
  for (const d of [dir, logdir, statsdir, library]) fs.mkdirSync(d);
  for (const sub of ['out', 'in', 'request', 'requestlists', 'trash', 'trash/queue']) fs.mkdirSync(path.join(dir, sub));
  const configPath = path.join(root, 'endit.conf');
  const scenarioPath = path.join(root, 'scenario.json');
  const pool: BenchPool = {
    root,
    dir,
    logdir,
    statsdir,
    library,
    configPath,
    scenarioPath,
    hintPath: path.join(root, 'hints.json'),
    journalPath: path.join(library, 'journal.jsonl'),
    sub: (name) => path.join(dir, name),
    writeConfig(values) {
      const all: Record<string, string | number> = {
        'desc-short': HSM,
        'desc-long': `endit bench ${label}`,
        dir,
        logdir,
        currstatsdir: statsdir,
        confoverridefile: path.join(root, 'override.json'),
        dsmcopts: '-asnode=BENCHNODE, -errorlogname=/dev/null',
        dsmc_executable: FAKE_DSMC,
        verbose: 1,
        ...values,
      };
      const text = Object.entries(all)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n');
      fs.writeFileSync(configPath, `# written by npm run bench\n${text}\n`);
    },
    writeScenario(scenario) {
      fs.writeFileSync(scenarioPath, JSON.stringify(scenario));
    },
    env: () => ({ FAKE_DSMC_LIBRARY: library, FAKE_DSMC_SCENARIO: scenarioPath }),
  };
  pool.writeScenario({});
  return pool;
}

/** Kills the daemons and fake sessions of a pool, then removes it. */
export function destroyPool(pool: BenchPool): void {
  killProcessesMentioning(pool.root);
  const t0 = Date.now();
  removeTree(pool.root);
  roots.delete(pool.root);
  const tookSec = (Date.now() - t0) / 1000;
  if (tookSec > 2) process.stderr.write(`  (removing ${pool.root} took ${tookSec.toFixed(1)} s)\n`);
}

/** Everything the bench started or created: killed and removed, now. */
export function cleanupAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const root of roots) killProcessesMentioning(root);
  for (const root of roots) removeTree(root);
  roots.clear();
}
