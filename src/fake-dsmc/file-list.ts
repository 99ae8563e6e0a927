// The -filelist format: one absolute path per line. Pure parsing plus one reader.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ListEntry {
  path: string;
  id: string;
  /** False for a path the fake refuses to touch (relative, `..`, control characters). */
  valid: boolean;
}

/** Absolute, without `.`/`..` components or control characters: cannot escape its place. */
export function isSafeAbsolutePath(path: string): boolean {
  if (!path.startsWith('/') || /[\u0000-\u001f]/.test(path)) return false;
  return !path.split('/').some((part) => part === '..' || part === '.');
}

function unquote(line: string): string {
  const first = line[0];
  if (line.length >= 2 && (first === '"' || first === "'") && line.endsWith(first)) return line.slice(1, -1);
  return line;
}

/** Splits a file list into entries; blank lines are skipped, quotes around a path removed. */
export function parseFileList(text: string): ListEntry[] {
  const entries: ListEntry[] = [];
  for (const rawLine of text.split('\n')) {
    const line = unquote(rawLine.replace(/\r$/, '').trim());
    if (line === '') continue;
    entries.push({ path: line, id: basename(line), valid: isSafeAbsolutePath(line) });
  }
  return entries;
}

export function readFileList(listFile: string): ListEntry[] {
  return parseFileList(readFileSync(listFile, 'utf8'));
}
