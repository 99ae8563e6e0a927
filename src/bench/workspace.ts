/**
 * Temporary pools of the bench, and everything that must not outlive it: the
 * daemons it started, their fake dsmc sessions, and directories of a million
 * files. `cleanupAll` is synchronous so that it can run from a signal handler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { killDescendants, killProcessesMentioning } from './proc-probe.js';
import { writeDsmcWrapper, type DsmcAccounting } from './dsmc-accounting.js';
import type { ImplName } from './implementation.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FAKE_DSMC = path.join(REPO_ROOT, 'bin', 'fake-dsmc');
export const HSM = 'bench';

/** Where one implementation's files go: both read the same configuration, apart from these. */
export interface PoolSide {
  readonly configPath: string;
  readonly logdir: string;
  readonly statsdir: string;
}

export interface BenchPool {
  readonly root: string;
  readonly dir: string;
  readonly library: string;
  readonly scenarioPath: string;
  readonly hintPath: string;
  readonly journalPath: string;
  readonly dsmc: DsmcAccounting;
  side(impl: ImplName): PoolSide;
  sub(name: 'out' | 'in' | 'request' | 'requestlists' | 'trash' | 'trash/queue'): string;
  /** Writes the configuration of each side (`endit.conf`, `perl.conf`): the same keys, each side its own logdir and currstatsdir. */
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

/**
 * Writes the filesystem holding `dir` to disk (`sync -f`, syncfs) and waits.
 * Files just written hold no disk block yet (ext4 allocates at writeback,
 * about 30 s later): unlinking one frees nothing, unlinking one written back
 * frees a block, which on a `discard` mount waits for the disk. Without this,
 * whichever program ran when writeback came paid for it (100,000 tape-URI
 * trash files: 2.1 s to unlink before writeback, 16 s after, on this
 * machine). Trash files of a real backlog are long on disk.
 */
export function flushToDisk(dir: string): void {
  const result = spawnSync('sync', ['-f', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}

/** Empties a directory (removes and recreates it). */
export function emptyDir(dir: string): void {
  removeTree(dir);
  fs.mkdirSync(dir);
}

/** The configuration file text, `key: value` lines (the format both programs read). Pure. */
export function configText(values: Record<string, string | number>): string {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return `# written by npm run bench\n${text}\n`;
}

function createSides(root: string): Record<ImplName, PoolSide> {
  const make = (suffix: string, config: string): PoolSide => {
    const side = { configPath: path.join(root, config), logdir: path.join(root, `log${suffix}`), statsdir: path.join(root, `stats${suffix}`) };
    fs.mkdirSync(side.logdir);
    fs.mkdirSync(side.statsdir);
    return side;
  };
  return { endit: make('', 'endit.conf'), perl: make('-perl', 'perl.conf') };
}

export function createPool(label: string, tmpdir = os.tmpdir()): BenchPool {
  const root = fs.mkdtempSync(path.join(tmpdir, `endit-bench-${label}-`));
  roots.add(root);
  const dir = path.join(root, 'pool');
  const library = path.join(root, 'library');
  for (const d of [dir, library]) fs.mkdirSync(d);
  for (const sub of ['out', 'in', 'request', 'requestlists', 'trash', 'trash/queue']) fs.mkdirSync(path.join(dir, sub));
  const sides = createSides(root);
  const scenarioPath = path.join(root, 'scenario.json');
  const dsmc = writeDsmcWrapper(root, FAKE_DSMC);
  const pool: BenchPool = {
    root,
    dir,
    library,
    scenarioPath,
    hintPath: path.join(root, 'hints.json'),
    journalPath: path.join(library, 'journal.jsonl'),
    dsmc,
    side: (impl) => sides[impl],
    sub: (name) => path.join(dir, name),
    writeConfig(values) {
      for (const side of Object.values(sides)) {
        const all: Record<string, string | number> = {
          'desc-short': HSM,
          'desc-long': `endit bench ${label}`,
          dir,
          logdir: side.logdir,
          currstatsdir: side.statsdir,
          confoverridefile: path.join(root, 'override.json'),
          dsmcopts: '-asnode=BENCHNODE, -errorlogname=/dev/null',
          dsmc_executable: dsmc.wrapperPath,
          verbose: 1,
          ...values,
        };
        fs.writeFileSync(side.configPath, configText(all));
      }
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
    if (child.exitCode !== null || child.signalCode !== null) continue;
    if (child.pid !== undefined) killDescendants(child.pid);
    child.kill('SIGKILL');
  }
  children.clear();
  for (const root of roots) killProcessesMentioning(root);
  for (const root of roots) removeTree(root);
  roots.clear();
}
