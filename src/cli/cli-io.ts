import fs from 'node:fs';
import { processStartTicks } from '../core/runtime/proc.js';

/** What a subcommand may touch besides files: output, environment, clocks, processes. Injected for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  nowMs(): number;
  readonly pid: number;
  /** Unix time (seconds) a live process started, if it can be known. */
  processStartSec(pid: number): number | undefined;
  /** Whether standard output is a terminal (progress lines are drawn only there). */
  readonly outIsTty: boolean;
}

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on every Linux architecture endit runs on. */
const USER_HZ = 100;

/** Boot time (btime of /proc/stat) plus the process's start ticks. */
function readProcessStartSec(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  if (ticks === undefined) return undefined;
  try {
    const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? undefined : Number(btime) + Number(ticks) / USER_HZ;
  } catch {
    return undefined;
  }
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    nowMs: Date.now,
    pid: process.pid,
    processStartSec: readProcessStartSec,
    outIsTty: process.stdout.isTTY === true,
  };
}

/** Exit codes of the `endit` command. */
export const EXIT = {
  ok: 0,
  /** status: a daemon's figures are stale or missing; check-config: invalid. */
  problem: 1,
  /** The configuration cannot be read or a usage error. */
  config: 2,
} as const;

/** A command-line mistake: the message is printed with the usage hint, exit 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}
