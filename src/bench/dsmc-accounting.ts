/**
 * The fake dsmc as the bench runs it, for both endit and the Perl daemons:
 * `dsmc_executable` is a small shell script in the pool's root that execs
 * node with a preload (dsmc-cpu-preload.js) and the fake. The preload appends
 * the fake's own CPU to an accounting file as it exits, which lets "CPU in
 * all" take dsmc out of the daemon's reaped children (cpu-in-all.ts). The
 * script and node are one process (exec), so the daemons still hold, and
 * SIGKILL, the fake's own pid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { accountCpuInAll, descendantsOf, parseDsmcCpuRecords, type CpuInAll } from './cpu-in-all.js';
import { clockTicksPerSecond, readCommandLine, scanProcStats } from './proc-probe.js';
import { isErrno } from '../core/errors.js';

export interface DsmcAccounting {
  /** The script the bench configs name as `dsmc_executable`. */
  readonly wrapperPath: string;
  /** One JSON record a line per fake dsmc that exited. */
  readonly recordsPath: string;
  /** The fake itself (bin/fake-dsmc), on the command line of the node process the wrapper becomes. */
  readonly fakeDsmc: string;
}

/** The environment variable naming the accounting file, for the preload. */
export const DSMC_CPU_FILE_ENV = 'ENDIT_BENCH_DSMC_CPU';

/** `text` as one shell word. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export interface WrapperSpec {
  readonly nodePath: string;
  readonly preloadUrl: string;
  readonly fakeDsmc: string;
  readonly recordsPath: string;
}

/** The wrapper script. Pure. */
export function dsmcWrapperScript(spec: WrapperSpec): string {
  return [
    '#!/bin/sh',
    '# written by npm run bench: the fake dsmc, which records its own CPU as it exits',
    `${DSMC_CPU_FILE_ENV}=${shellQuote(spec.recordsPath)}`,
    `export ${DSMC_CPU_FILE_ENV}`,
    `exec ${shellQuote(spec.nodePath)} --import ${shellQuote(spec.preloadUrl)} ${shellQuote(spec.fakeDsmc)} "$@"`,
    '',
  ].join('\n');
}

/** The compiled preload in dist/bench/, also when this module runs from src/ (vitest): node loads only the built one. */
const PRELOAD = path.resolve(import.meta.dirname, '../..', 'dist', 'bench', 'dsmc-cpu-preload.js');

/** Writes the wrapper into `root`. */
export function writeDsmcWrapper(root: string, fakeDsmc: string, preload = PRELOAD): DsmcAccounting {
  const wrapperPath = path.join(root, 'bench-dsmc');
  const recordsPath = path.join(root, 'dsmc-cpu.jsonl');
  const preloadUrl = pathToFileURL(preload).href;
  fs.writeFileSync(wrapperPath, dsmcWrapperScript({ nodePath: process.execPath, preloadUrl, fakeDsmc, recordsPath }), { mode: 0o755 });
  return { wrapperPath, recordsPath, fakeDsmc };
}

/** Empties the accounting file: each daemon start counts only its own sessions. */
export function resetDsmcRecords(accounting: DsmcAccounting): void {
  fs.writeFileSync(accounting.recordsPath, '');
}

function readRecordsText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return '';
    throw error;
  }
}

/** CPU in all of the daemon `pid` now; undefined once it is gone. */
export function readCpuInAll(pid: number, accounting: DsmcAccounting): CpuInAll | undefined {
  const procs = scanProcStats();
  const daemon = procs.find((p) => p.pid === pid);
  if (daemon === undefined) return undefined;
  const descendants = descendantsOf(pid, procs);
  const isDsmc = (commandLine: string): boolean => commandLine.includes(accounting.wrapperPath) || commandLine.includes(accounting.fakeDsmc);
  const dsmcPids = new Set(descendants.filter((p) => isDsmc(readCommandLine(p.pid))).map((p) => p.pid));
  const records = parseDsmcCpuRecords(readRecordsText(accounting.recordsPath));
  return accountCpuInAll({ daemon, descendants, dsmcPids, records, ticksPerSec: clockTicksPerSecond() });
}
