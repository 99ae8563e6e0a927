import fs from 'node:fs';
import path from 'node:path';
import { isPnfsid } from '../core/pool/index.js';
import { isErrno } from '../core/errors.js';

/** A pending recall as dCache wrote it in `request/<id>`. */
export interface RecallRequest {
  readonly id: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
}

export interface RequestScan {
  readonly recalls: readonly RecallRequest[];
  /** Hex names found in request/ (recalls and flushes). */
  readonly names: number;
  /** True when there were more names than the limit and none was read. */
  readonly overLimit: boolean;
  /** Files that vanished or did not parse (being written or removed right now). */
  readonly unreadable: number;
}

/** `file_size` of a recall request's JSON text; undefined for flushes and unparsable text. Pure. */
export function parseRecallSize(text: string): number | undefined | 'invalid' {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  if (typeof data !== 'object' || data === null) return 'invalid';
  const record = data as Record<string, unknown>;
  if (record['action'] !== 'recall') return undefined;
  const size = Number(record['file_size']);
  return Number.isSafeInteger(size) && size >= 0 ? size : 'invalid';
}

function readRecall(requestDir: string, id: string): RecallRequest | undefined | 'invalid' {
  const file = path.join(requestDir, id);
  try {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const size = parseRecallSize(fs.readFileSync(file, 'utf8'));
    return typeof size === 'number' ? { id, sizeBytes: size, mtimeMs } : size;
  } catch {
    return 'invalid';
  }
}

/**
 * Reads the recall requests in `request/` (only `file_size`, `action` and the
 * mtime). Above `limit` names nothing is read, so that a huge queue costs one
 * directory listing.
 */
export function scanRecallRequests(requestDir: string, limit: number): RequestScan {
  let names: string[];
  try {
    names = fs.readdirSync(requestDir).filter(isPnfsid);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { recalls: [], names: 0, overLimit: false, unreadable: 0 };
    throw error;
  }
  if (names.length > limit) return { recalls: [], names: names.length, overLimit: true, unreadable: 0 };
  const recalls: RecallRequest[] = [];
  let unreadable = 0;
  for (const id of names) {
    const read = readRecall(requestDir, id);
    if (read === 'invalid') unreadable++;
    else if (read !== undefined) recalls.push(read);
  }
  return { recalls, names: names.length, overLimit: false, unreadable };
}
