// What start-up needs of the world the configuration names, checked without
// changing anything: no directory created, no file written. `endit
// check-config` prints the findings; a daemon refuses to start on an error.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigValues } from '../config/index.js';
import { errnoCode, errorMessage, isErrno } from '../errors.js';
import { POOL_SUBDIRS } from '../pool/index.js';

/**
 * error: start-up refuses (or every dsmc session would fail);
 * warning: the daemon runs but something is lost (stats files);
 * create: start-up creates this missing pool subdirectory.
 */
export type PreflightSeverity = 'error' | 'warning' | 'create';

export interface PreflightFinding {
  readonly severity: PreflightSeverity;
  /** The configuration key the finding is about. */
  readonly key: 'dir' | 'logdir' | 'currstatsdir' | 'dsmc_executable' | 'desc-short';
  /** The path the finding is about. */
  readonly path: string;
  /** One line, beginning with the key. */
  readonly message: string;
}

export type PreflightValues = Pick<ConfigValues, 'dir' | 'logdir' | 'currstatsdir' | 'dsmc_executable' | 'desc-short'>;

export interface PreflightOptions {
  /** Log files the program appends to in logdir (default: those of all endit programs). */
  readonly logNames?: readonly string[];
  /** Where a bare dsmc_executable is looked up (default $PATH). */
  readonly searchPath?: string | undefined;
}

const ALL_LOG_NAMES = ['tsmarchiver', 'tsmretriever', 'tsmdeleter', 'tsmtapehints'];

/** `<desc-short>` names the stats files: nothing that could leave currstatsdir. */
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

type Stat = { kind: 'dir' } | { kind: 'file'; stats: fs.Stats } | { kind: 'other' } | { kind: 'missing' } | { kind: 'unusable'; reason: string };

function statPath(file: string): Stat {
  try {
    const stats = fs.statSync(file);
    if (stats.isDirectory()) return { kind: 'dir' };
    return stats.isFile() ? { kind: 'file', stats } : { kind: 'other' };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'missing' };
    return { kind: 'unusable', reason: errnoCode(error) ?? errorMessage(error) };
  }
}

/** Whether this process may create and remove entries in `dir` (access(2), which also sees a read-only mount). */
function writableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describeStat(stat: Stat): string {
  switch (stat.kind) {
    case 'missing':
      return 'does not exist';
    case 'unusable':
      return `cannot be used (${stat.reason})`;
    default:
      return 'is not a directory';
  }
}

function subdirFinding(full: string): PreflightFinding | undefined {
  const stat = statPath(full);
  if (stat.kind === 'dir') return writableDir(full) ? undefined : { severity: 'error', key: 'dir', path: full, message: `dir: '${full}' is not writable` };
  if (stat.kind !== 'missing') return { severity: 'error', key: 'dir', path: full, message: `dir: '${full}' exists but ${describeStat(stat)}` };
  // trash/queue/ is created right after trash/ when both are missing.
  const parent = path.dirname(full);
  if (statPath(parent).kind === 'missing' || writableDir(parent)) {
    return { severity: 'create', key: 'dir', path: full, message: `dir: '${full}' does not exist: start-up creates it` };
  }
  return { severity: 'error', key: 'dir', path: full, message: `dir: '${full}' does not exist and cannot be created ('${parent}' is not writable)` };
}

function poolFindings(dir: string): PreflightFinding[] {
  const base = statPath(dir);
  if (base.kind !== 'dir') return [{ severity: 'error', key: 'dir', path: dir, message: `dir: '${dir}' ${describeStat(base)}` }];
  const findings = POOL_SUBDIRS.map((sub) => subdirFinding(path.join(dir, sub))).filter((f) => f !== undefined);
  // The daemons' lock files (.endit-<daemon>.lock) are created in dir itself.
  if (!writableDir(dir)) findings.unshift({ severity: 'error', key: 'dir', path: dir, message: `dir: '${dir}' is not writable (the daemons' lock files live there)` });
  return findings;
}

/** Whether an existing file cannot be appended to (a missing one will be created). */
function notAppendable(file: string): boolean {
  const stat = statPath(file);
  if (stat.kind === 'missing') return false;
  if (stat.kind !== 'file') return true;
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

function logFindings(logdir: string, logNames: readonly string[]): PreflightFinding[] {
  if (logdir === '-') return [];
  const stat = statPath(logdir);
  if (stat.kind !== 'dir') return [{ severity: 'error', key: 'logdir', path: logdir, message: `logdir: '${logdir}' ${describeStat(stat)}` }];
  if (!writableDir(logdir)) return [{ severity: 'error', key: 'logdir', path: logdir, message: `logdir: '${logdir}' is not writable` }];
  const findings: PreflightFinding[] = [];
  for (const name of logNames) {
    const file = path.join(logdir, `${name}.log`);
    if (notAppendable(file)) findings.push({ severity: 'error', key: 'logdir', path: file, message: `logdir: '${file}' cannot be appended to` });
    // The session history falls back to the log: worth a warning, not a refusal.
    const history = path.join(logdir, `${name}-sessions.jsonl`);
    if (notAppendable(history)) findings.push({ severity: 'warning', key: 'logdir', path: history, message: `logdir: '${history}' cannot be appended to: session records go to the log` });
  }
  return findings;
}

function statsDirFindings(statsdir: string): PreflightFinding[] {
  const stat = statPath(statsdir);
  if (stat.kind === 'dir' && writableDir(statsdir)) return [];
  const problem = stat.kind === 'dir' ? 'is not writable' : describeStat(stat);
  return [{ severity: 'warning', key: 'currstatsdir', path: statsdir, message: `currstatsdir: '${statsdir}' ${problem}: no stats files until it is a writable directory` }];
}

function isExecutableFile(file: string): boolean {
  const stat = statPath(file);
  if (stat.kind !== 'file') return false;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function notExecutableReason(file: string): string {
  const stat = statPath(file);
  switch (stat.kind) {
    case 'file':
      return 'is not executable';
    case 'dir':
      return 'is a directory';
    case 'other':
      return 'is not a regular file';
    default:
      return describeStat(stat);
  }
}

function dsmcFindings(executable: string, searchPath: string | undefined): PreflightFinding[] {
  if (executable.includes('/')) {
    if (isExecutableFile(executable)) return [];
    return [{ severity: 'error', key: 'dsmc_executable', path: executable, message: `dsmc_executable: '${executable}' ${notExecutableReason(executable)}` }];
  }
  const dirs = (searchPath ?? '').split(path.delimiter).filter((d) => d !== '');
  if (dirs.some((d) => isExecutableFile(path.join(d, executable)))) return [];
  return [{ severity: 'error', key: 'dsmc_executable', path: executable, message: `dsmc_executable: '${executable}' is not an executable file in PATH (${dirs.join(':') || 'empty'})` }];
}

function nameFindings(descShort: string): PreflightFinding[] {
  if (SAFE_NAME.test(descShort) && descShort !== '.' && descShort !== '..') return [];
  return [{ severity: 'error', key: 'desc-short', path: descShort, message: `desc-short: '${descShort}' must be a name of letters, digits, '.', '_' and '-' (it names the stats files), not . or ..` }];
}

/**
 * Every check of the world that start-up makes, without changing it: the
 * pool directory and its subdirectories, logdir, currstatsdir,
 * dsmc_executable and desc-short. Reads the file system only.
 */
export function preflightProblems(values: PreflightValues, options: PreflightOptions = {}): PreflightFinding[] {
  return [
    ...poolFindings(values.dir),
    ...logFindings(values.logdir, options.logNames ?? ALL_LOG_NAMES),
    ...statsDirFindings(values.currstatsdir),
    ...dsmcFindings(values.dsmc_executable, 'searchPath' in options ? options.searchPath : process.env['PATH']),
    ...nameFindings(values['desc-short']),
  ];
}
