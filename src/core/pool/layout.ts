import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { errorMessage, isErrno } from '../errors.js';

export const POOL_SUBDIRS = ['in', 'out', 'request', 'requestlists', 'trash', 'trash/queue'] as const;

/** Absolute paths of the pool directory protocol with dCache (SPEC 2). */
export interface PoolLayout {
  readonly dir: string;
  readonly in: string;
  readonly out: string;
  readonly request: string;
  readonly requestlists: string;
  readonly trash: string;
  readonly queue: string;
}

export function poolLayout(dir: string): PoolLayout {
  return {
    dir,
    in: path.join(dir, 'in'),
    out: path.join(dir, 'out'),
    request: path.join(dir, 'request'),
    requestlists: path.join(dir, 'requestlists'),
    trash: path.join(dir, 'trash'),
    queue: path.join(dir, 'trash', 'queue'),
  };
}

export class PoolLayoutError extends Error {}

function checkWritable(dir: string): void {
  const probe = path.join(dir, `.endit-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
    fs.rmSync(probe);
  } catch (error) {
    throw new PoolLayoutError(`${dir}: not writable: ${errorMessage(error)}`);
  }
}

/**
 * Creates missing subdirectories and refuses a pool where one exists but is
 * not a directory or is not writable (tested by creating a file).
 */
export function preparePool(dir: string): PoolLayout {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    throw new PoolLayoutError(`dir ${dir}: ${isErrno(error, 'ENOENT') ? 'does not exist' : errorMessage(error)}`);
  }
  if (!stat.isDirectory()) throw new PoolLayoutError(`dir ${dir}: not a directory`);
  for (const sub of POOL_SUBDIRS) {
    const full = path.join(dir, sub);
    try {
      fs.mkdirSync(full);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw new PoolLayoutError(`${full}: cannot create: ${errorMessage(error)}`);
    }
    if (!fs.statSync(full).isDirectory()) throw new PoolLayoutError(`${full}: exists but is not a directory`);
    checkWritable(full);
  }
  return poolLayout(dir);
}
