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

/** Same as writeFileAtomic, but fails instead of replacing an existing `target`. */
export async function writeFileAtomicNoReplace(target: string, content: string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  await fs.writeFile(temp, content, { mode: options.mode ?? 0o666, flag: 'wx' });
  if (options.fsync === true) {
    const handle = await fs.open(temp, 'r');
    await handle.sync();
    await handle.close();
  }
  try {
    // link() refuses an existing target, which rename() would silently replace.
    await fs.link(temp, target);
  } finally {
    await fs.rm(temp, { force: true });
  }
}
