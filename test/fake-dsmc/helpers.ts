// Shared helpers for the fake dsmc tests: run the built program in temporary dirs.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The program as it runs (bin/fake-dsmc: the bundle in dist/bundle/).
export const FAKE_DSMC = fileURLToPath(new URL('../../bin/fake-dsmc', import.meta.url));

export interface Sandbox {
  root: string;
  library: string;
  pool: string;
  out: string;
  in: string;
  lists: string;
  scenario: string;
  env: NodeJS.ProcessEnv;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'fake-dsmc-test-'));
  const pool = join(root, 'pool');
  const sandbox: Sandbox = {
    root,
    library: join(root, 'library'),
    pool,
    out: join(pool, 'out'),
    in: join(pool, 'in'),
    lists: join(pool, 'requestlists'),
    scenario: join(root, 'scenario.json'),
    env: {},
  };
  for (const dir of [sandbox.out, sandbox.in, sandbox.lists]) mkdirSync(dir, { recursive: true });
  sandbox.env = { PATH: process.env['PATH'] ?? '', LANG: 'C', FAKE_DSMC_LIBRARY: sandbox.library, FAKE_DSMC_SCENARIO: sandbox.scenario };
  writeScenario(sandbox, {});
  return sandbox;
}

export function removeSandbox(sandbox: Sandbox | undefined): void {
  if (sandbox !== undefined) rmSync(sandbox.root, { recursive: true, force: true });
}

export function writeScenario(sandbox: Sandbox, scenario: unknown): void {
  writeFileSync(sandbox.scenario, JSON.stringify(scenario));
}

/** Writes files into out/ (content = `size` bytes of a repeating pattern); returns their paths. */
export function makeOutFiles(sandbox: Sandbox, specs: readonly { id: string; size: number }[]): string[] {
  return specs.map(({ id, size }) => {
    const path = join(sandbox.out, id);
    writeFileSync(path, patternBytes(id, size));
    return path;
  });
}

export function patternBytes(seed: string, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) buffer[i] = (seed.charCodeAt(i % seed.length) + i) & 0xff;
  return buffer;
}

let listCounter = 0;

export function writeList(sandbox: Sandbox, paths: readonly string[]): string {
  listCounter += 1;
  const path = join(sandbox.lists, `list.${listCounter}`);
  writeFileSync(path, paths.map((line) => `${line}\n`).join(''));
  return path;
}

export interface RunResult {
  rc: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<RunResult>;
}

const running = new Set<ChildProcess>();

export function start(args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [FAKE_DSMC, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<RunResult>((resolveDone) => {
    child.on('close', (rc, signal) => {
      running.delete(child);
      resolveDone({ rc, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return start(args, env).done;
}

/** SIGKILLs every child still running (call in afterEach). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const startMs = Date.now();
  while (!condition()) {
    if (Date.now() - startMs > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const RETRIEVE_ARGS = ['retrieve', '-replace=no', '-followsymbolic=yes', '-dateformat=3', '-timeformat=1', '-numberformat=1'];
export const DELETE_ARGS = ['delete', 'archive', '-noprompt', '-dateformat=3', '-timeformat=1', '-numberformat=1'];
export const QUERY_ARGS = ['query', 'archive', '-filesonly', '-detail', '-dateformat=3', '-timeformat=1', '-numberformat=1'];

export function archiveArgs(list: string, description = 'ENDIT-2024-01-02T03:04:05+0100'): string[] {
  return ['archive', '-deletefiles', `-description=${description}`, `-filelist=${list}`];
}

export function retrieveArgs(list: string, destDir: string): string[] {
  return [...RETRIEVE_ARGS, `-filelist=${list}`, `${destDir}/`];
}

export function deleteArgs(list: string): string[] {
  return [...DELETE_ARGS, `-filelist=${list}`];
}

export function queryArgs(pattern: string): string[] {
  return [...QUERY_ARGS, pattern];
}

/** ENDIT's entry and location regexes from tsmtapehints.pl (the Volume ID must be digits). */
export function parseQueryListing(stdout: string, outDir: string): { id: string; size: number; volume: string; order: string }[] {
  const entryRe = new RegExp(`^\\s*([\\d,]+)\\s+(\\S+)\\s+(\\d\\d\\d\\d-\\d\\d-\\d\\d\\s+\\d\\d:\\d\\d:\\d\\d)\\s+${outDir}/(\\S+)\\s+(\\S+)`);
  const result: { id: string; size: number; volume: string; order: string }[] = [];
  let current: { id: string; size: number } | undefined;
  for (const line of stdout.split('\n')) {
    const entry = entryRe.exec(line);
    if (entry) current = { id: entry[4] ?? '', size: Number((entry[1] ?? '').replace(/,/g, '')) };
    const location = /Volume\sID:\s+(\d+).*Restore\sOrder:\s+(\S+)/.exec(line);
    if (location && current) {
      result.push({ ...current, volume: location[1] ?? '', order: location[2] ?? '' });
      current = undefined;
    }
  }
  return result;
}
