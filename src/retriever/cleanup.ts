import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log/index.js';
import { readRegularFile } from '../core/regular-file.js';
import type { PoolLayout } from '../core/pool/index.js';

export const STALE_FILE_AGE_MS = 7 * 24 * 3600 * 1000;
const CLEANUP_INTERVAL_MS = 24 * 3600 * 1000;

export interface CleanupCandidate {
  readonly name: string;
  readonly ctimeMs: number;
  readonly isFile: boolean;
}

/**
 * Which stray files to remove (SPEC 6.1): regular files whose ctime is older
 * than `maxAgeMs`, except names in `keep` and dot files (session records,
 * temporary files of atomic writes). Pure.
 */
export function planCleanup(candidates: readonly CleanupCandidate[], nowMs: number, maxAgeMs: number, keep: ReadonlySet<string>): string[] {
  return candidates
    .filter((c) => c.isFile && !c.name.startsWith('.') && !keep.has(c.name) && nowMs - c.ctimeMs > maxAgeMs)
    .map((c) => c.name);
}

async function listCandidates(dir: string): Promise<CleanupCandidate[]> {
  const out: CleanupCandidate[] = [];
  for (const name of await fs.readdir(dir)) {
    try {
      const st = await fs.lstat(path.join(dir, name));
      out.push({ name, ctimeMs: st.ctimeMs, isFile: st.isFile() });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/**
 * File lists still named by a `.session` record of any daemon on this pool:
 * a live session's list is never removed, however old.
 */
export async function scanLiveListNames(requestlistsDir: string): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const name of await fs.readdir(requestlistsDir)) {
    if (!name.startsWith('.') || !name.endsWith('.session')) continue;
    try {
      // Never through a planted symlink, never blocking on a FIFO.
      const { text } = await readRegularFile(path.join(requestlistsDir, name), { noFollow: true });
      const record = JSON.parse(text) as { listFile?: unknown };
      if (typeof record.listFile === 'string') keep.add(path.basename(record.listFile));
    } catch {
      // Being written or removed right now.
    }
  }
  return keep;
}

/** Removes stray old files from `dir`; returns the names removed. */
export async function removeStaleFiles(dir: string, nowMs: number, keep: ReadonlySet<string>, maxAgeMs = STALE_FILE_AGE_MS): Promise<string[]> {
  const doomed = planCleanup(await listCandidates(dir), nowMs, maxAgeMs, keep);
  const removed: string[] = [];
  for (const name of doomed) {
    try {
      await fs.rm(path.join(dir, name));
      removed.push(name);
    } catch {
      // Gone meanwhile, or not ours to remove: try again tomorrow.
    }
  }
  return removed;
}

/**
 * The daily removal of stray files (SPEC 6.1) from requestlists/ and in/
 * (at start-up too), sparing the lists of live sessions and the files of
 * running lists.
 */
export class StrayFileCleanup {
  private lastCleanupMs = -Infinity;

  constructor(
    private readonly pool: PoolLayout,
    private readonly logger: Logger,
    private readonly workingIds: () => ReadonlySet<string>,
  ) {}

  async runIfDue(nowMs: number): Promise<void> {
    if (nowMs - this.lastCleanupMs < CLEANUP_INTERVAL_MS && nowMs >= this.lastCleanupMs) return;
    this.lastCleanupMs = nowMs;
    const { pool, logger } = this;
    const lists = await removeStaleFiles(pool.requestlists, nowMs, await scanLiveListNames(pool.requestlists));
    const inFiles = await removeStaleFiles(pool.in, nowMs, this.workingIds());
    for (const name of [...lists.map((n) => `requestlists/${n}`), ...inFiles.map((n) => `in/${n}`)]) logger.verbose(`Removed stray file ${name} (older than 7 days)`);
    if (lists.length + inFiles.length > 0) logger.info(`Cleanup: removed ${inFiles.length} file(s) from in/ and ${lists.length} from requestlists/ older than 7 days`);
  }
}
