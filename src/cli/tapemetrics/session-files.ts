// The session history files `endit tapemetrics` reads: the paths given, a
// directory standing for the sessions files in it (one directory per host,
// e.g. a copy of each pool node's /var/log/dcache).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { errorMessage } from '../../core/errors.js';
import { entryKind } from '../../core/pool/odd-entries.js';

/**
 * `tsmretriever-sessions.jsonl` and its rotated copies (`.1`, `.2.gz`, …):
 * with daily rotation the last 24 hours span the current file and the
 * previous one, which logrotate may already have compressed.
 */
const SESSION_FILE_NAME = /^tsm.+-sessions\.jsonl(\.\d+)?(\.gz)?$/;

export interface SessionInputScan {
  /** Regular files to read, each once (by real path), in argument order, a directory's by name. */
  readonly files: readonly string[];
  /** One line per path that could not be used, naming it. */
  readonly problems: readonly string[];
}

/** The sessions files of a directory, by name; what bears such a name but is no regular file (a symlink to one is) is a problem. */
function scanSessionDirectory(dir: string, problems: string[]): string[] {
  const files: string[] = [];
  for (const name of fs.readdirSync(dir).filter((entry) => SESSION_FILE_NAME.test(entry)).sort()) {
    const file = path.join(dir, name);
    try {
      const stat = fs.statSync(file);
      if (stat.isFile()) files.push(file);
      else problems.push(`${file}: not a regular file (a ${entryKind(stat)}); not read`);
    } catch (error) {
      problems.push(`${file}: cannot read (${errorMessage(error)})`);
    }
  }
  return files;
}

function realPathOf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The files named by the arguments: a file as it is, a directory by its sessions files. */
export function scanSessionInputs(paths: readonly string[]): SessionInputScan {
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const real = realPathOf(file);
    if (seen.has(real)) return;
    seen.add(real);
    files.push(file);
  };
  for (const given of paths) {
    try {
      const stat = fs.statSync(given);
      if (stat.isFile()) add(given);
      else if (!stat.isDirectory()) problems.push(`${given}: not a regular file or directory (a ${entryKind(stat)}); not read`);
      else {
        const found = scanSessionDirectory(given, problems);
        if (found.length === 0) problems.push(`${given}: no tsm*-sessions.jsonl file in this directory`);
        found.forEach(add);
      }
    } catch (error) {
      problems.push(`${given}: cannot read (${errorMessage(error)})`);
    }
  }
  return { files, problems };
}

export type SessionFileRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/**
 * The text of a sessions file (gunzipped if its name ends in `.gz`). Opened
 * without blocking and checked again on the descriptor: a FIFO put in its
 * place must not hang the command.
 */
export function readSessionFile(file: string): SessionFileRead {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) return { ok: false, error: `${file}: not a regular file (a ${entryKind(stat)}); not read` };
      const bytes = fs.readFileSync(fd);
      return { ok: true, text: (file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8') };
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    return { ok: false, error: `${file}: cannot read (${errorMessage(error)})` };
  }
}
