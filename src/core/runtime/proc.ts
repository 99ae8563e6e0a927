import fs from 'node:fs';
import { isErrno } from '../errors.js';

/** Whether a process with this pid exists (EPERM means it does, owned by someone else); a zombie is dead. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (!isErrno(error, 'EPERM')) return false;
  }
  return !isZombie(pid);
}

/** A killed process whose parent has not reaped it yet (state Z in /proc/<pid>/stat). */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Process start time in clock ticks since boot (field 22 of /proc/<pid>/stat), to tell a reused pid apart. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** The process group of a pid (field 5 of /proc/<pid>/stat). */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs a dsmc and, when it leads its own process group (as every dsmc
 * endit starts does), the whole group: children left holding its output die too.
 */
export function killGroupHard(pid: number): void {
  if (processGroupOf(pid) === pid) {
    try {
      process.kill(-pid, 'SIGKILL');
      return;
    } catch {
      // Fall back to the one process.
    }
  }
  killHard(pid);
}

/** Pids whose argument vector contains exactly `arg` (Linux /proc). */
export function findProcessesWithArg(arg: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(arg)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

export function killHard(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Waits (polling) until none of `pids` is alive, at most `timeoutMs`. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => !isProcessAlive(pid))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
