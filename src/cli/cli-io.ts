/** What a subcommand may touch besides files: output, environment, clock, own pid. Injected for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  nowMs(): number;
  readonly pid: number;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    nowMs: Date.now,
    pid: process.pid,
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
