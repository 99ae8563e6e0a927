// Plays the dCache ENDIT provider plugin (SPEC 2): flushes, recalls and removals
// through the pool directory, polled like the plugin does.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/stats/index.js';
import type { DemoFile } from './demo-plan.js';

/** The plugin waits about 1 s between removing a complete recall's request and moving the file (SPEC 2). */
export const TAKE_DELAY_MS = 1000;

/** Something the plugin saw happen, for the progress lines. */
export type DcacheEvent =
  | { readonly kind: 'flushed'; readonly file: DemoFile }
  | { readonly kind: 'recalled'; readonly file: DemoFile; readonly checksumOk: boolean }
  | { readonly kind: 'recall-failed'; readonly file: DemoFile; readonly error: string };

export interface DcachePaths {
  readonly dir: string;
  /** The pool's own data directory, where dCache keeps its copies. */
  readonly store: string;
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function exists(file: string): boolean {
  return fs.existsSync(file);
}

function sizeOf(file: string): number | undefined {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

export class DcacheSide {
  /** Checksums of what was flushed, by id, to verify recalls. */
  readonly #checksums = new Map<string, string>();
  readonly #flushing = new Map<string, DemoFile>();
  readonly #recalling = new Map<string, DemoFile>();
  /** Complete recalls, request removed, moved into the pool at `dueMs` (the plugin waits about 1 s). */
  readonly #taking = new Map<string, { file: DemoFile; dueMs: number }>();
  readonly flushed: DemoFile[] = [];
  readonly recalled: DemoFile[] = [];
  readonly failed: { file: DemoFile; error: string }[] = [];
  readonly removed: DemoFile[] = [];
  checksumErrors = 0;

  constructor(
    private readonly paths: DcachePaths,
    /** parent_pid of recall requests: the process playing the pool's JVM. */
    private readonly poolPid: number,
    private readonly nowMs: () => number,
  ) {}

  #pool(...parts: string[]): string {
    return path.join(this.paths.dir, ...parts);
  }

  #requestJson(file: DemoFile, action: 'migrate' | 'recall'): string {
    const time = Math.floor(this.nowMs() / 1000);
    const storageClass = 'demo:tape@osm';
    if (action === 'recall') {
      return JSON.stringify({ file_size: file.sizeBytes, parent_pid: this.poolPid, time, storage_class: storageClass, action, path: file.path });
    }
    const checksum = { checksumType: 'md5', checksumValue: this.#checksums.get(file.id) };
    return JSON.stringify({ file_size: file.sizeBytes, time, storage_class: storageClass, action, path: file.path, ...checksum });
  }

  /** Flush: write the data to the pool, `request/<id>`, then hard-link it as `out/<id>`. */
  flush(file: DemoFile): void {
    const data = randomBytes(file.sizeBytes);
    const stored = path.join(this.paths.store, file.id);
    fs.writeFileSync(stored, data);
    this.#checksums.set(file.id, md5(data));
    fs.writeFileSync(this.#pool('request', file.id), this.#requestJson(file, 'migrate'));
    fs.linkSync(stored, this.#pool('out', file.id));
    this.#flushing.set(file.id, file);
  }

  /** Recall: take `in/<id>` at once if complete, else write `request/<id>`. */
  recall(file: DemoFile): void {
    if (sizeOf(this.#pool('in', file.id)) === file.sizeBytes) {
      this.#taking.set(file.id, { file, dueMs: this.nowMs() });
      return;
    }
    this.#recalling.set(file.id, file);
    fs.writeFileSync(this.#pool('request', file.id), this.#requestJson(file, 'recall'));
  }

  /** Remove: drop the pool's copy and ask for the tape copy's deletion in `trash/<id>`. */
  async remove(file: DemoFile): Promise<void> {
    fs.rmSync(path.join(this.paths.store, file.id), { force: true });
    await writeFileAtomic(this.#pool('trash', file.id), `osm://demo/?store=demo&group=tape&bfid=${file.id}\n`);
    this.removed.push(file);
  }

  /** Evicts the pool's copy of a flushed file (it is on tape now), so a recall must bring it back. */
  evict(file: DemoFile): void {
    fs.rmSync(path.join(this.paths.store, file.id), { force: true });
  }

  get pendingFlushes(): number {
    return this.#flushing.size;
  }

  get pendingRecalls(): number {
    return this.#recalling.size + this.#taking.size;
  }

  /** One round of the plugin's polling; returns what completed. */
  poll(): DcacheEvent[] {
    return [...this.#pollFlushes(), ...this.#pollRecalls(), ...this.#takeRecalled()];
  }

  #pollFlushes(): DcacheEvent[] {
    const events: DcacheEvent[] = [];
    for (const [id, file] of this.#flushing) {
      if (exists(this.#pool('out', id))) continue;
      fs.rmSync(this.#pool('request', id), { force: true });
      this.#flushing.delete(id);
      this.flushed.push(file);
      events.push({ kind: 'flushed', file });
    }
    return events;
  }

  #pollRecalls(): DcacheEvent[] {
    const events: DcacheEvent[] = [];
    for (const [id, file] of this.#recalling) {
      const errFile = this.#pool('request', `${id}.err`);
      if (exists(errFile)) {
        this.#recalling.delete(id);
        const error = this.#failRecall(file, errFile);
        this.failed.push({ file, error });
        events.push({ kind: 'recall-failed', file, error });
      } else if (sizeOf(this.#pool('in', id)) === file.sizeBytes) {
        this.#recalling.delete(id);
        fs.rmSync(this.#pool('request', id), { force: true });
        this.#taking.set(id, { file, dueMs: this.nowMs() + TAKE_DELAY_MS });
      }
    }
    return events;
  }

  /** `.err`: read it, remove in/<id>, the .err and the request. */
  #failRecall(file: DemoFile, errFile: string): string {
    const error = fs.readFileSync(errFile, 'utf8').trim();
    for (const f of [this.#pool('in', file.id), errFile, this.#pool('request', file.id)]) fs.rmSync(f, { force: true });
    return error;
  }

  /** Moves complete recalls into the pool once their delay is over, and checks their checksum. */
  #takeRecalled(): DcacheEvent[] {
    const events: DcacheEvent[] = [];
    for (const [id, { file, dueMs }] of this.#taking) {
      if (this.nowMs() < dueMs) continue;
      this.#taking.delete(id);
      const stored = path.join(this.paths.store, id);
      fs.renameSync(this.#pool('in', id), stored);
      const checksumOk = md5(fs.readFileSync(stored)) === this.#checksums.get(id);
      if (!checksumOk) this.checksumErrors++;
      this.recalled.push(file);
      events.push({ kind: 'recalled', file, checksumOk });
    }
    return events;
  }
}
