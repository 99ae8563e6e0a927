// What `endit drain` looks at, once per poll: the three directories it
// empties, and the archiver's and deleter's locks, figures and logs.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigValues } from '../../core/config/index.js';
import { isErrno } from '../../core/errors.js';
import { logFilePath } from '../../core/log/index.js';
import { isPnfsid, poolLayout } from '../../core/pool/index.js';
import { lockPath, readLockHolder } from '../../core/runtime/index.js';
import { readStatsFile, statsFilePath } from '../stats-file.js';

export type DrainDaemon = 'archiver' | 'deleter';

/** Entries of one directory: the daemons' work (pnfsids, queue files), and names they ignore. */
export interface DirCount {
  readonly dir: string;
  readonly work: number;
  /** Names no daemon takes (not a pnfsid, a corrupt queue file set aside): left for a person. */
  readonly ignored: number;
  /** Up to a few of them, to name in the report. */
  readonly ignoredNames: readonly string[];
}

export interface DaemonDrainView {
  readonly name: DrainDaemon;
  /** The live pid holding its lock, null when it is not running. */
  readonly pid: number | null;
  readonly lockFile: string;
  /** Its stats figures, null when there are none. */
  readonly figures: Readonly<Record<string, number>> | null;
  /** Its log file, null with `logdir: -` (the journal). */
  readonly logFile: string | null;
}

export interface DrainView {
  readonly nowMs: number;
  readonly out: DirCount;
  /** trash/ without its queue/ subdirectory. */
  readonly trash: DirCount;
  readonly queue: DirCount;
  readonly archiver: DaemonDrainView;
  readonly deleter: DaemonDrainView;
  readonly overrideFile: string;
}

const NAMES_SHOWN = 3;
const QUEUE_FILE = /^\d+$/;

function countDir(dir: string, isWork: (name: string) => boolean, skip: (name: string) => boolean = () => false): DirCount {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    // Not there yet: no daemon has prepared the pool, so nothing waits in it.
    if (isErrno(error, 'ENOENT')) return { dir, work: 0, ignored: 0, ignoredNames: [] };
    throw error;
  }
  let work = 0;
  const ignoredNames: string[] = [];
  let ignored = 0;
  for (const name of names) {
    if (skip(name)) continue;
    if (isWork(name)) {
      work++;
    } else {
      ignored++;
      if (ignoredNames.length < NAMES_SHOWN) ignoredNames.push(name);
    }
  }
  return { dir, work, ignored, ignoredNames };
}

function readDaemon(values: ConfigValues, name: DrainDaemon, logName: string): DaemonDrainView {
  const lockFile = lockPath(values.dir, name);
  const stats = readStatsFile(statsFilePath(values.currstatsdir, values['desc-short'], name));
  return {
    name,
    pid: readLockHolder(lockFile),
    lockFile,
    figures: stats.kind === 'ok' ? stats.figures : null,
    logFile: logFilePath(values.logdir, logName),
  };
}

/** One look at the pool, the locks and the stats files. Throws when a directory cannot be listed. */
export function scanDrainView(values: ConfigValues, nowMs: number): DrainView {
  const pool = poolLayout(values.dir);
  return {
    nowMs,
    out: countDir(pool.out, isPnfsid),
    trash: countDir(pool.trash, isPnfsid, (name) => name === path.basename(pool.queue)),
    queue: countDir(pool.queue, (name) => QUEUE_FILE.test(name)),
    archiver: readDaemon(values, 'archiver', 'tsmarchiver'),
    deleter: readDaemon(values, 'deleter', 'tsmdeleter'),
    overrideFile: values.confoverridefile,
  };
}

/** How much of a log's end is searched for the last warning or error. */
const LOG_TAIL_BYTES = 64 * 1024;
const PROBLEM_LINE = /(?:Warning|Error): \[|"level":"(?:warn|error)"/;

/** The last warning or error line of a log file (text or JSON lines), if any. */
export function scanLastProblemLine(file: string | null): string | undefined {
  if (file === null) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').reverse().find((line) => PROBLEM_LINE.test(line));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
