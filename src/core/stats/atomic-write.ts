import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** File mode; default honours the umask (0666 & ~umask). */
  readonly mode?: number;
  /** fsync before the rename, for files whose loss would lose work (queue files). */
  readonly fsync?: boolean;
}

/**
 * A new name next to `target`. Created with `wx` (O_CREAT|O_EXCL): a name
 * planted in advance, even a symlink, makes the open fail instead of being
 * followed; rename() and link() then replace or refuse the target's name
 * itself, never what a symlink there points to.
 */
function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `content` to a temporary file in the same directory, then renames it
 * over `target`, so that a reader sees the old file or the new one, never a part.
 */
export async function writeFileAtomic(
  target: string,
  content: string | Uint8Array | Iterable<string>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = await writeTemp(target, content, options);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Same as writeFileAtomic, but fails instead of replacing an existing `target`. */
export async function writeFileAtomicNoReplace(target: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = await writeTemp(target, content, options);
  try {
    // link() refuses an existing target, which rename() would silently replace.
    await fs.link(temp, target);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Writes a new temporary file next to `target` through one handle; returns its path. */
async function writeTemp(target: string, content: string | Uint8Array | Iterable<string>, options: AtomicWriteOptions): Promise<string> {
  const temp = tempNameFor(target);
  const handle = await fs.open(temp, 'wx', options.mode ?? 0o666);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
    // Written piece by piece: a million-entry file never becomes one string.
    else for (const chunk of content) await handle.write(chunk);
    if (options.mode !== undefined) await handle.chmod(options.mode);
    if (options.fsync === true) await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/**
 * The synchronous writeFileAtomic, for small files written where no await
 * fits (a dsmc session record, written from the spawn callback).
 */
export function writeFileAtomicSync(target: string, content: string, options: AtomicWriteOptions = {}): void {
  const temp = tempNameFor(target);
  const fd = fsSync.openSync(temp, 'wx', options.mode ?? 0o666);
  try {
    fsSync.writeFileSync(fd, content);
    if (options.mode !== undefined) fsSync.fchmodSync(fd, options.mode);
    if (options.fsync === true) fsSync.fsyncSync(fd);
  } catch (error) {
    fsSync.closeSync(fd);
    fsSync.rmSync(temp, { force: true });
    throw error;
  }
  fsSync.closeSync(fd);
  try {
    fsSync.renameSync(temp, target);
  } catch (error) {
    fsSync.rmSync(temp, { force: true });
    throw error;
  }
}
