/**
 * Parses the output of `dsmc query archive -filesonly -detail '<dir>/out/*'`
 * (SPEC 8, dsmc-facts §5) into tape hints, line by line as dsmc prints it:
 *
 *           72,191  B  2016-04-01 02:17:31    /grid/pool/out/0000…107D Never endit  RetInit:STARTED  ObjHeld:NO
 *            Modified: …  Accessed: …  Inode changed: …
 *            Compression Type: None  Encryption Type:        None  Client-deduplicated: NO
 *     Media Class: Library  Volume ID: 724216  Restore Order: 00000000-00000002-00000000-00CEF5A1
 *
 * The banner and the column header are ignored (they change between client
 * versions); message lines are left to the session runner.
 */
import { MessageAssembler, ownCopy, type DsmcMessage, type LineClass } from '../core/dsmc/index.js';
import type { HintMap, TapeHint } from '../core/hints/index.js';
import { isPnfsid } from '../core/pool/index.js';

/** Size (digits with thousands separators), unit, then the rest: date, time, path, expiry, description. */
const ENTRY_LINE = /^\s*(\d[\d,.']*)\s+([A-Za-z]{1,2})\s+(\S.*)$/;
const LOCATION_LINE = /Volume\s+ID:\s*(\S+).*?Restore\s+Order:\s*(\S+)/;

export interface DuplicateReport {
  /** Further copies listed after the first one. */
  readonly copies: number;
  /** Some copy has a known size different from another known size. */
  readonly sizeMismatch: boolean;
}

export interface QueryListing {
  readonly hints: HintMap;
  /** Object lines seen, duplicates included. */
  readonly objects: number;
  readonly duplicates: ReadonlyMap<string, DuplicateReport>;
  /** Objects whose expiry is not `Never`: id and expiry. */
  readonly expiring: ReadonlyArray<{ readonly id: string; readonly expiry: string }>;
  /** Objects listed without a Volume ID / Restore Order line (not on tape: no hint). */
  readonly withoutLocation: number;
  /** Object lines naming something other than `<dir>/out/<pnfsid>`. */
  readonly foreign: number;
  /** Objects listed in KB or larger units: size unknown. */
  readonly sizeUnknown: number;
}

interface PendingObject {
  readonly id: string;
  readonly sizeBytes: number | undefined;
}

interface MutableDuplicate {
  copies: number;
  sizeMismatch: boolean;
  /** Every known size seen for the id. */
  readonly sizes: Set<number>;
}

/** `72,191` and unit `B` → 72191; another unit (KB, MB, …) means size unknown. */
export function parseListedSize(digits: string, unit: string): number | undefined {
  if (unit !== 'B') return undefined;
  const n = Number(digits.replace(/[,.']/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

export class QueryListingParser {
  private readonly prefix: string;
  private readonly hints: HintMap = new Map();
  private readonly duplicates = new Map<string, MutableDuplicate>();
  private readonly expiring: Array<{ id: string; expiry: string }> = [];
  /** One string per volume. */
  private readonly volumes = new Map<string, string>();
  private pending: PendingObject | null = null;
  private objects = 0;
  private withoutLocation = 0;
  private foreign = 0;
  private sizeUnknown = 0;

  /** `outDir` exactly as given to dsmc in the query pattern (`<dir>/out`). */
  constructor(outDir: string) {
    this.prefix = `${outDir.replace(/\/+$/, '')}/`;
  }

  /** One line of output; message lines (by `cls`) are skipped without losing the object they interrupt. */
  push(line: string, cls?: LineClass): void {
    if (cls?.kind === 'message' || cls?.kind === 'prompt') return;
    const entry = ENTRY_LINE.exec(line);
    if (entry !== null) {
      this.startObject(entry[1] as string, entry[2] as string, entry[3] as string);
      return;
    }
    if (this.pending === null) return;
    const location = LOCATION_LINE.exec(line);
    if (location !== null) this.place(this.pending, this.volume(location[1] as string), location[2] as string);
  }

  private startObject(digits: string, unit: string, rest: string): void {
    const tokens = rest.split(/\s+/);
    const pathIndex = tokens.findIndex((token) => token.startsWith('/'));
    if (pathIndex < 0) return; // not an object line after all (e.g. a wrapped message text)
    if (this.pending !== null) this.withoutLocation++;
    this.pending = null;
    this.objects++;
    const objectPath = tokens[pathIndex] as string;
    const name = objectPath.startsWith(this.prefix) ? objectPath.slice(this.prefix.length) : '';
    if (!isPnfsid(name)) {
      this.foreign++;
      return;
    }
    const id = ownCopy(name);
    const expiry = tokens[pathIndex + 1] ?? '';
    if (expiry !== 'Never') this.expiring.push({ id, expiry: ownCopy(expiry) });
    const sizeBytes = parseListedSize(digits, unit);
    if (sizeBytes === undefined) this.sizeUnknown++;
    this.pending = { id, sizeBytes };
  }

  private volume(volid: string): string {
    let own = this.volumes.get(volid);
    if (own === undefined) {
      own = ownCopy(volid);
      this.volumes.set(own, own);
    }
    return own;
  }

  private place(object: PendingObject, volid: string, order: string): void {
    this.pending = null;
    const first = this.hints.get(object.id);
    if (first === undefined) {
      const own = ownCopy(order);
      const hint: TapeHint = object.sizeBytes === undefined ? { volid, order: own } : { volid, order: own, sizeBytes: object.sizeBytes };
      this.hints.set(object.id, hint);
      return;
    }
    // A duplicate (archived more than once): the first entry stays.
    let duplicate = this.duplicates.get(object.id);
    if (duplicate === undefined) {
      duplicate = { copies: 0, sizeMismatch: false, sizes: new Set(first.sizeBytes === undefined ? [] : [first.sizeBytes]) };
      this.duplicates.set(object.id, duplicate);
    }
    duplicate.copies++;
    if (object.sizeBytes !== undefined) {
      duplicate.sizes.add(object.sizeBytes);
      if (duplicate.sizes.size > 1) duplicate.sizeMismatch = true;
    }
  }

  finish(): QueryListing {
    if (this.pending !== null) this.withoutLocation++;
    this.pending = null;
    const duplicates = new Map<string, DuplicateReport>();
    for (const [id, d] of this.duplicates) duplicates.set(id, { copies: d.copies, sizeMismatch: d.sizeMismatch });
    return {
      hints: this.hints,
      objects: this.objects,
      duplicates,
      expiring: this.expiring,
      withoutLocation: this.withoutLocation,
      foreign: this.foreign,
      sizeUnknown: this.sizeUnknown,
    };
  }
}

/**
 * A whole transcript at once, through the same message assembly as a live
 * session (a message whose quoted path wrapped onto the next line is joined).
 */
export function parseQueryTranscript(text: string, outDir: string): QueryListing & { readonly messages: readonly DsmcMessage[] } {
  const parser = new QueryListingParser(outDir);
  const messages: DsmcMessage[] = [];
  const assembler = new MessageAssembler((line, cls) => {
    if (cls.kind === 'message') messages.push(cls.message);
    parser.push(line, cls);
  });
  for (const line of text.split('\n')) assembler.push(line.replace(/\r$/, ''));
  assembler.flush();
  return { ...parser.finish(), messages };
}
