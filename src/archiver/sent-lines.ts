import { isPnfsid } from '../core/pool/index.js';
import type { DsmcMessage } from '../core/dsmc/index.js';

/**
 * `Normal File-->     1,073,741,824 /pool/out/<id> [Sent]`, perhaps after
 * `Retry # 1  ` (dsmc-facts §2.1). The size may be grouped by `,` `.` `'` or a
 * space (numberformat); the path starts after the first blank that follows it.
 */
const SENT_LINE = /^(?:Retry # \d+\s+)?Normal File-->\s*[\d,.' ]*\s(\S.*?)\s+\[Sent\]\s*$/;

/**
 * Codes with which dsmc says it cannot get at a file it had just archived:
 * under -deletefiles that is the removal failing (a read-only mount, no
 * permission). Only together with the file's `[Sent]` line does it mean that.
 */
const NOT_REMOVED_CODES: ReadonlySet<string> = new Set(['ANS4007E']);

/** The pnfsid a path in `outDir` names, or null for any other path. */
function nameInOut(filePath: string, outDir: string): string | null {
  const prefix = `${outDir}/`;
  if (!filePath.startsWith(prefix)) return null;
  const name = filePath.slice(prefix.length);
  return isPnfsid(name) ? name : null;
}

/** The name of a file in `outDir` that a line of dsmc archive reports sent, or null. Pure. */
export function parseSentName(line: string, outDir: string): string | null {
  if (!line.includes('[Sent]')) return null;
  const match = SENT_LINE.exec(line);
  return match === null ? null : nameInOut(match[1] as string, outDir);
}

/** The name of a file in `outDir` that dsmc says it could not get at (see NOT_REMOVED_CODES), or null. Pure. */
export function parseNotRemovedName(message: DsmcMessage, outDir: string): string | null {
  if (!NOT_REMOVED_CODES.has(message.code) || message.quotedPath === undefined) return null;
  return nameInOut(message.quotedPath, outDir);
}
