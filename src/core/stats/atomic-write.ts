import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** File mode; default honours the umask (0666 & ~umask). */
  readonly mode?: number;
  /** fsync before the rename, for files whose loss would lose work (queue files). */
  readonly fsync?: boolean;
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
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
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
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Same as writeFileAtomic, but fails instead of replacing an existing
 * `target`. The temporary file is removed whatever fails (a full filesystem
 * must not leave one behind per attempt).
 */
export async function writeFileAtomicNoReplace(target: string, content: string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fsConstants;
  const handle = await fs.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(content);
      if (options.fsync === true) await handle.sync();
    } finally {
      await handle.close();
    }
    // link() refuses an existing target, which rename() would silently replace.
    await fs.link(temp, target);
  } finally {
    await fs.rm(temp, { force: true });
  }
}
