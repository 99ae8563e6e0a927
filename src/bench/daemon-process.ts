/** A real daemon program (`bin/endit-*`) run by the bench, watched from outside. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessesMentioning, killSameProcesses, readPeakRssMiB, scanProcStats } from './proc-probe.js';
import { descendantsOf, type CpuInAll } from './cpu-in-all.js';
import { readCpuInAll, resetDsmcRecords } from './dsmc-accounting.js';
import { ENDIT, perlScript, programLabel, type Implementation } from './implementation.js';
import { REPO_ROOT, trackChild, type BenchPool } from './workspace.js';
import { note } from './progress.js';

export type DaemonProgram = 'archiver' | 'retriever' | 'deleter';

export class BenchTimeoutError extends Error {}

export interface DaemonRun {
  readonly program: DaemonProgram;
  readonly impl: Implementation;
  /** `endit-archiver`, `tsmarchiver.pl`, ... */
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Date.now() just before the spawn. */
  readonly spawnMs: number;
  /** CPU in all so far, seconds: the daemon and its children, not dsmc (cpu-in-all.ts). */
  cpuSec(): number;
  /** The same, in parts (the last reading once the daemon is gone). */
  cpu(): CpuInAll;
  peakRssMiB(): number;
  alive(): boolean;
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; kills what is left of its children and the pool's fake sessions either way. */
  stop(graceMs?: number): Promise<void>;
}

/** The program file of a daemon, or undefined while it is not built yet. */
export function daemonEntry(program: DaemonProgram): string | undefined {
  const dist = path.join(REPO_ROOT, 'dist', program, 'main.js');
  return fs.existsSync(dist) ? path.join(REPO_ROOT, 'bin', `endit-${program}`) : undefined;
}

/** The command that starts the daemon: endit with `--config`, Perl with ENDIT_CONFIG (it has no option for it). */
function daemonCommand(program: DaemonProgram, pool: BenchPool, impl: Implementation): { file: string; args: string[]; env: Record<string, string> } {
  const configPath = pool.side(impl.name).configPath;
  if (impl.name === 'perl') return { file: 'perl', args: [path.join(impl.dir, perlScript(program))], env: { ENDIT_CONFIG: configPath } };
  const entry = daemonEntry(program);
  if (entry === undefined) throw new Error(`dist/${program}/main.js is not built`);
  // ENDIT_BENCH_NODE_FLAGS: node flags for the daemons (e.g. --trace-gc).
  const nodeFlags = (process.env['ENDIT_BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
  return { file: process.execPath, args: [...nodeFlags, entry, '--config', configPath], env: {} };
}

function spawnDaemon(program: DaemonProgram, pool: BenchPool, impl: Implementation): ChildProcess {
  const command = daemonCommand(program, pool, impl);
  // ENDIT_BENCH_STDOUT: the daemons' stdout goes to that file (.<program>, .<program>.perl).
  const stdoutFile = process.env['ENDIT_BENCH_STDOUT'];
  const stdout = stdoutFile === undefined ? 'ignore' : fs.openSync(`${stdoutFile}.${program}${impl.name === 'perl' ? '.perl' : ''}`, 'a');
  const child = spawn(command.file, command.args, { env: { ...process.env, ...pool.env(), ...command.env }, stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') fs.closeSync(stdout);
  trackChild(child);
  return child;
}

export function startDaemon(program: DaemonProgram, pool: BenchPool, impl: Implementation = ENDIT): DaemonRun {
  resetDsmcRecords(pool.dsmc);
  const spawnMs = Date.now();
  const child = spawnDaemon(program, pool, impl);
  const label = programLabel(impl, program);
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (err.length < 64 * 1024) err += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${label}`);
  let lastCpu: CpuInAll = { ownSec: 0, childrenSec: 0, dsmcSec: 0, inAllSec: 0 };
  let lastRss = 0;
  const run: DaemonRun = {
    program,
    impl,
    label,
    child,
    pid,
    spawnMs,
    cpu: () => (lastCpu = readCpuInAll(pid, pool.dsmc) ?? lastCpu),
    cpuSec: () => run.cpu().inAllSec,
    peakRssMiB: () => (lastRss = readPeakRssMiB(pid) ?? lastRss),
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => err,
    stop: (graceMs = 15_000) => stopRun(run, exited, pool, graceMs),
  };
  return run;
}

/** SIGTERM, then SIGKILL after `graceMs`; then whatever of its children outlived it, and the pool's fake sessions. */
async function stopRun(run: DaemonRun, exited: Promise<void>, pool: BenchPool, graceMs: number): Promise<void> {
  if (run.alive()) {
    run.cpuSec();
    run.peakRssMiB();
    // Once the daemon is gone its children are no longer below it: note them now.
    const children = descendantsOf(run.pid, scanProcStats());
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      run.child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    killSameProcesses(children);
    const tookSec = (Date.now() - t0) / 1000;
    if (killed) note(`${run.label} did not stop within ${graceMs / 1000} s of SIGTERM: killed`);
    else if (tookSec > 2) note(`${run.label} took ${tookSec.toFixed(1)} s to stop after SIGTERM`);
  }
  killProcessesMentioning(pool.root);
}

/** Polls `condition` every `intervalMs` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, condition: () => T | undefined, timeoutMs: number, intervalMs = 20, run?: DaemonRun): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined) return value;
    if (run !== undefined && !run.alive()) throw new Error(`${run.label} exited while waiting for ${what}: ${run.stderr().trim().slice(0, 2000)}`);
    if (Date.now() > deadline) throw new BenchTimeoutError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** CPU seconds the daemon used over `windowSec` of wall time. */
export async function cpuOverWindow(run: DaemonRun, windowSec: number): Promise<{ cpuSec: number; wallSec: number }> {
  const cpu0 = run.cpuSec();
  const t0 = performance.now();
  await sleep(windowSec * 1000);
  const cpu1 = run.cpuSec();
  return { cpuSec: cpu1 - cpu0, wallSec: (performance.now() - t0) / 1000 };
}

/** `count` consecutive CPU windows of `windowSec` each. */
export async function cpuWindows(run: DaemonRun, count: number, windowSec: number): Promise<Array<{ cpuSec: number; wallSec: number }>> {
  const out: Array<{ cpuSec: number; wallSec: number }> = [];
  for (let i = 0; i < count; i++) out.push(await cpuOverWindow(run, windowSec));
  return out;
}

/**
 * Waits until the daemon is quiet: a `probeSec` sample below `busyShare` of a
 * core, or `maxSec` passed. Returns the seconds it took (start-up work that
 * goes on after the first session).
 */
export async function settle(run: DaemonRun, maxSec: number, probeSec = 1, busyShare = 0.2): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { cpuSec, wallSec } = await cpuOverWindow(run, probeSec);
    if (cpuSec / wallSec < busyShare || (performance.now() - t0) / 1000 >= maxSec) return (performance.now() - t0) / 1000;
  }
}

/** Length in bytes of the longest line of a (possibly large) log file; 0 when absent. */
export function longestLineBytes(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  const buffer = Buffer.alloc(1 << 20);
  let longest = 0;
  let current = 0;
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      let start = 0;
      for (;;) {
        const nl = buffer.indexOf(10, start);
        if (nl === -1 || nl >= read) {
          current += read - start;
          break;
        }
        current += nl - start;
        longest = Math.max(longest, current);
        current = 0;
        start = nl + 1;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return Math.max(longest, current);
}

/** The daemon's stats JSON (`<hsm>-<daemon>-stats.json`) as numbers (the Perl daemons may write some as strings), or undefined while it is not there or mid-write. */
export function readStats(pool: BenchPool, impl: Implementation, hsm: string, daemon: DaemonProgram): Record<string, number> | undefined {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(pool.side(impl.name).statsdir, `${hsm}-${daemon}-stats.json`), 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, Number(value)]));
  } catch {
    return undefined;
  }
}
