import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** `tsm-archive-files.XXXXXX` style name: prefix, dot, six random characters. */
export function fileListName(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(6);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${prefix}.${suffix}`;
}

/** Writes one absolute path per line into a new file in `dir`; returns its path. */
export async function writeFileList(dir: string, prefix: string, paths: readonly string[]): Promise<string> {
  for (;;) {
    const file = path.join(dir, fileListName(prefix));
    try {
      await fs.writeFile(file, paths.length === 0 ? '' : `${paths.join('\n')}\n`, { flag: 'wx', mode: 0o644 });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
