/**
 * Shared helpers for integration tests: a temporary pool with a config that
 * uses the fake dsmc, real daemon processes, and waiting for conditions
 * (never for fixed sleeps). Every process started here is killed in afterEach.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FAKE_DSMC = path.join(REPO_ROOT, 'bin', 'fake-dsmc');

export type DaemonProgram = 'archiver' | 'retriever' | 'deleter';

export const LOG_NAMES: Record<DaemonProgram | 'tapehints', string> = {
  archiver: 'tsmarchiver',
  retriever: 'tsmretriever',
  deleter: 'tsmdeleter',
  tapehints: 'tsmtapehints',
};

export interface TestPool {
  readonly root: string;
  readonly dir: string;
  readonly logdir: string;
  readonly statsdir: string;
  readonly library: string;
  readonly configPath: string;
  readonly overridePath: string;
  readonly scenarioPath: string;
  readonly hintPath: string;
  readonly env: Record<string, string>;
  /** Rewrites the config with these keys changed (merged into the current ones). */
  writeConfig(extra?: Record<string, string | number>): void;
  writeScenario(scenario: unknown): void;
  path(...parts: string[]): string;
}

const pools: string[] = [];
const processes = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  processes.clear();
  for (const root of pools.splice(0)) {
    // dsmc sessions a killed daemon left behind would hold files open.
    killProcessesUnder(root);
    fs.rmSync(root, { recursive: true, force: true });
  }
  // A pool of 100k files (test/integration/readers-responsive.test.ts) takes long to remove on a loaded machine.
}, 120_000);

/** SIGKILLs any process whose command line mentions `root` (fake dsmc orphans of a test). */
export function killProcessesUnder(root: string): void {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(root)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export function createTestPool(config: Record<string, string | number> = {}, scenario?: unknown): TestPool {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-it-'));
  pools.push(root);
  const dir = path.join(root, 'pool');
  const logdir = path.join(root, 'log');
  const statsdir = path.join(root, 'stats');
  const library = path.join(root, 'library');
  for (const d of [dir, logdir, statsdir, library]) fs.mkdirSync(d);
  const configPath = path.join(root, 'endit.conf');
  const overridePath = path.join(root, 'override.json');
  const scenarioPath = path.join(root, 'scenario.json');
  const hintPath = path.join(root, 'hints.json');
  let current: Record<string, string | number> = {
    'desc-short': 'testpool',
    'desc-long': 'integration test pool',
    dir,
    logdir,
    currstatsdir: statsdir,
    confoverridefile: overridePath,
    dsmcopts: '-asnode=TESTNODE, -errorlogname=/dev/null',
    dsmc_executable: FAKE_DSMC,
    sleeptime: 1,
    ...config,
  };
  const pool: TestPool = {
    root,
    dir,
    logdir,
    statsdir,
    library,
    configPath,
    overridePath,
    scenarioPath,
    hintPath,
    env: { FAKE_DSMC_LIBRARY: library, FAKE_DSMC_SCENARIO: scenarioPath },
    writeConfig(extra = {}) {
      current = { ...current, ...extra };
      const text = Object.entries(current).map(([k, v]) => `${k}: ${v}`).join('\n');
      fs.writeFileSync(configPath, `# written by the integration test harness\n${text}\n`);
    },
    writeScenario(s) {
      fs.writeFileSync(scenarioPath, JSON.stringify(s));
    },
    path: (...parts) => path.join(dir, ...parts),
  };
  pool.writeConfig();
  pool.writeScenario(scenario ?? {});
  return pool;
}

export interface RunningProgram {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bin/<program>` with exactly `args` (no --config); killed in afterEach like the others. */
export function startCommand(program: string, args: string[], env: Record<string, string> = {}): RunningProgram {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', program), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid as number, stdout: () => out, stderr: () => err, exited };
}

/** Starts `bin/<program>` with the pool's config and fake dsmc environment. */
export function startProgram(program: string, pool: TestPool, args: string[] = [], env: Record<string, string> = {}): RunningProgram {
  return startCommand(program, ['--config', pool.configPath, ...args], { ...pool.env, ...env });
}

export function startDaemon(daemon: DaemonProgram, pool: TestPool, env: Record<string, string> = {}): RunningProgram {
  return startProgram(`endit-${daemon}`, pool, [], env);
}

/** Runs a program to its end (e.g. endit-tapehints). */
export async function runProgram(program: string, pool: TestPool, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startProgram(program, pool, args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function readLog(pool: TestPool, program: DaemonProgram | 'tapehints'): string {
  try {
    return fs.readFileSync(path.join(pool.logdir, `${LOG_NAMES[program]}.log`), 'utf8');
  } catch {
    return '';
  }
}

export function readStats(pool: TestPool, daemon: DaemonProgram): Record<string, number> | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(pool.statsdir, `testpool-${daemon}-stats.json`), 'utf8')) as Record<string, number>;
  } catch {
    return null;
  }
}

export function promPath(pool: TestPool, daemon: DaemonProgram): string {
  return path.join(pool.statsdir, `testpool-${daemon}-stats.prom`);
}

/** A pnfsid-like hexadecimal name, distinct per `n`. */
export function pnfsid(n: number): string {
  return `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export function hasCommand(command: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => {
    try {
      fs.accessSync(path.join(d, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs `bin/fake-dsmc` with the pool's library and scenario (e.g. to archive files before a test). */
export async function runFakeDsmc(pool: TestPool, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [FAKE_DSMC, ...args], { env: { ...process.env, ...pool.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/**
 * Waits until the daemon has published its figures `seconds` more times
 * (its `<daemon>_time` advanced that far): "a few more cycles happened".
 */
export async function waitForStatsSeconds(pool: TestPool, daemon: DaemonProgram, seconds: number, timeoutMs = 30_000): Promise<void> {
  const key = `${daemon}_time`;
  await waitFor(() => readStats(pool, daemon)?.[key] !== undefined, `${daemon} stats`, timeoutMs);
  const start = readStats(pool, daemon)?.[key] as number;
  await waitFor(() => ((readStats(pool, daemon)?.[key] as number | undefined) ?? 0) >= start + seconds, `${seconds} s more of ${daemon} cycles`, timeoutMs);
}

/** Lines of a daemon's log that contain `text`. */
export function logLines(pool: TestPool, program: DaemonProgram | 'tapehints', text: string): string[] {
  return readLog(pool, program).split('\n').filter((line) => line.includes(text));
}
