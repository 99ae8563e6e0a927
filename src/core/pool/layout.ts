import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

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
    throw new PoolLayoutError(`${dir}: not writable: ${(error as Error).message}`);
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
    throw new PoolLayoutError(`dir ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message}`);
  }
  if (!stat.isDirectory()) throw new PoolLayoutError(`dir ${dir}: not a directory`);
  for (const sub of POOL_SUBDIRS) {
    const full = path.join(dir, sub);
    try {
      fs.mkdirSync(full);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new PoolLayoutError(`${full}: cannot create: ${(error as Error).message}`);
    }
    if (!fs.statSync(full).isDirectory()) throw new PoolLayoutError(`${full}: exists but is not a directory`);
    checkWritable(full);
  }
  return poolLayout(dir);
}
