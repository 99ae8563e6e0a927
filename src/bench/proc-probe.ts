/** What the bench reads about a process from outside: /proc/<pid>/stat and /proc/<pid>/status. */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { descendantsOf, parseProcStat, type ProcStat } from './cpu-in-all.js';

let ticksPerSecond: number | undefined;

/** USER_HZ (`getconf CLK_TCK`), almost always 100. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** /proc/<pid>/stat of one process, or undefined once it is gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** /proc/<pid>/stat of every process there is (those that vanish while read are skipped). */
export function scanProcStats(): ProcStat[] {
  const found: ProcStat[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== undefined) found.push(stat);
  }
  return found;
}

/** The command line of a process, arguments joined by spaces; empty once it is gone (or a zombie). */
export function readCommandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function readStatusKb(pid: number, key: string): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM), MiB. */
export function readPeakRssMiB(pid: number): number | undefined {
  const kb = readStatusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : kb / 1024;
}

/** Pids (other than ours) whose command line mentions `text`. */
export function findProcessesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** SIGKILLs every process whose command line mentions `text` (fake dsmc sessions of a pool). */
export function killProcessesMentioning(text: string): number[] {
  const pids = findProcessesMentioning(text);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return pids;
}

/** SIGKILLs these processes, each only if its pid still names the same process (pids are reused). */
export function killSameProcesses(procs: readonly ProcStat[]): void {
  for (const proc of procs) {
    if (readProcStat(proc.pid)?.startTicks !== proc.startTicks) continue;
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** SIGKILLs every process below `pid` (the Perl daemons' forked workers, whose command lines do not name the pool). */
export function killDescendants(pid: number): void {
  killSameProcesses(descendantsOf(pid, scanProcStats()));
}
