// What `endit plan` reads of the pool besides request/: the files in in/ and
// the retriever's running lists. Read only: nothing is written, nothing locked.
import fs from 'node:fs';
import path from 'node:path';
import { isErrno } from '../../core/errors.js';
import { isPnfsid } from '../../core/pool/index.js';
import { readRegularFileSync } from '../../core/regular-file.js';
import { isProcessAlive } from '../../core/runtime/index.js';
import { parseSessionRecordName } from '../../core/runtime/session-registry.js';

/** The list of a retrieve session in progress. */
export interface RunningList {
  readonly volume: string;
  readonly ids: readonly string[];
}

function readDirNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

/** Sizes of the regular files in in/ named by a pnfsid. */
export function scanInSizes(inDir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const name of readDirNames(inDir)) {
    if (!isPnfsid(name)) continue;
    const st = fs.lstatSync(path.join(inDir, name), { throwIfNoEntry: false });
    if (st?.isFile() === true) sizes.set(name, st.size);
  }
  return sizes;
}

/** The dsmc pid of a session record; undefined when not yet known (or the record is unreadable). */
function recordPid(file: string): number | undefined {
  try {
    const pid = (JSON.parse(readRegularFileSync(file, { noFollow: true })) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function listIds(file: string): string[] {
  try {
    return readRegularFileSync(file, { noFollow: true, maxBytes: 1 << 30 })
      .split('\n')
      .map((line) => path.basename(line.trim()))
      .filter(isPnfsid);
  } catch {
    return [];
  }
}

/**
 * The retriever's sessions in progress, from the records it keeps in
 * requestlists/ while dsmc runs (`.retriever.<list>.session`; the list is
 * `<volume>.XXXXXX`). A record whose dsmc is dead was left by a crash: not
 * running.
 */
export function scanRunningLists(requestlistsDir: string): RunningList[] {
  const lists: RunningList[] = [];
  for (const name of readDirNames(requestlistsDir)) {
    const parsed = parseSessionRecordName(name, 'retriever');
    if (parsed.kind !== 'record') continue;
    const pid = recordPid(path.join(requestlistsDir, name));
    if (pid !== undefined && !isProcessAlive(pid)) continue;
    lists.push({ volume: parsed.listName.replace(/\.[A-Za-z0-9]{6}$/, ''), ids: listIds(path.join(requestlistsDir, parsed.listName)) });
  }
  return lists;
}
