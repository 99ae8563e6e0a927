/**
 * Fast pool generators: plain synchronous writes in a tight loop (about 5 µs
 * a file on ext4), sparse files where sizes must be large.
 */
import fs from 'node:fs';
import path from 'node:path';
import { seedObjects, type SeedSpec } from '../fake-dsmc/library.js';

/** The 24 digits after the first twelve of every bench id (as real pnfsids, mostly random). */
const ID_TAIL = '5E6F708192A3B4C5D6E7F809';

/**
 * A pnfsid-like name (36 hex digits), distinct per `i` (below 2^32): `0000`,
 * then `i` scrambled by an odd multiplier (a bijection modulo 2^32), so that
 * names differ early as real ones do, not only in their last digits.
 */
export function benchId(i: number): string {
  const scrambled = Math.imul(i, 0x9e3779b1) >>> 0;
  return `0000${scrambled.toString(16).toUpperCase().padStart(8, '0')}${ID_TAIL}`;
}

/** Volume `index` of the hint file, e.g. `BV0042L8`. */
export function benchVolume(index: number): string {
  return `BV${String(index).padStart(4, '0')}L8`;
}

/** Sparse files of `sizeBytes` in out/, as dCache's hard links; returns bytes written (none: sparse). */
export function writeOutFiles(outDir: string, n: number, sizeBytes: number): void {
  for (let i = 0; i < n; i++) {
    const fd = fs.openSync(path.join(outDir, benchId(i)), 'w');
    try {
      if (sizeBytes > 0) fs.ftruncateSync(fd, sizeBytes);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export interface RequestSpec {
  readonly n: number;
  readonly fileSizeBytes: number;
  /** A live process: requests of a dead one are stale and removed. */
  readonly parentPid: number;
  /** mtime of request i is oldestMs + i ms, so the oldest requests are the first ids. */
  readonly oldestMs: number;
}

/** One recall request per id in request/, as the dCache plugin writes them; `missingOnly` keeps the ones there. Returns how many it wrote. */
export function writeRequests(requestDir: string, spec: RequestSpec, missingOnly = false): number {
  const present = missingOnly ? new Set(fs.readdirSync(requestDir)) : undefined;
  let written = 0;
  for (let i = 0; i < spec.n; i++) {
    const id = benchId(i);
    if (present?.has(id) === true) continue;
    const mtimeMs = spec.oldestMs + i;
    const file = path.join(requestDir, id);
    const body = `{"file_size":${spec.fileSizeBytes},"parent_pid":${spec.parentPid},"time":${Math.floor(mtimeMs / 1000)},"storage_class":"bench:tape@osm","action":"recall","path":"/pnfs/bench/data/${id}"}`;
    fs.writeFileSync(file, body);
    const when = mtimeMs / 1000;
    fs.utimesSync(file, when, when);
    written++;
  }
  return written;
}

/** Id i is on volume i mod `volumes`, at position i div `volumes`: requests interleave over all volumes. */
export function volumeOf(i: number, volumes: number): { volume: string; position: number } {
  return { volume: benchVolume(i % volumes), position: Math.floor(i / volumes) + 1 };
}

/** The hint file for ids 0..n-1 spread over `volumes` volumes, written in chunks. */
export function writeHintFile(file: string, n: number, volumes: number, sizeBytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk = '{';
    for (let i = 0; i < n; i++) {
      const { volume, position } = volumeOf(i, volumes);
      chunk += `${i === 0 ? '' : ','}"${benchId(i)}":{"volid":"${volume}","order":"${position}","size":${sizeBytes}}`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, `${chunk}}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/** What a trash/ file holds: nothing, or the tape URI as dCache writes it. */
export type TrashKind = 'empty' | 'uri';

export const TRASH_KINDS: readonly TrashKind[] = ['empty', 'uri'];

/**
 * The body of trash/<id>. dCache's ENDIT provider (RemoveTask) writes the
 * file's tape URI with `uri.toASCIIString()`, no newline; the URI is the one
 * its FlushTask returned, `new URI(hsmType, hsmName, null, "bfid=" + pnfsid,
 * null)`: `osm://<hsm name>?bfid=<pnfsid>`.
 */
export function trashFileContent(id: string, kind: TrashKind, hsmName: string): string {
  return kind === 'empty' ? '' : `osm://${hsmName}?bfid=${id}`;
}

/** One trash/<id> per id, empty or with its tape URI. */
export function writeTrash(trashDir: string, n: number, kind: TrashKind, hsmName: string): void {
  for (let i = 0; i < n; i++) {
    const id = benchId(i);
    fs.writeFileSync(path.join(trashDir, id), trashFileContent(id, kind, hsmName));
  }
}

/** Objects for ids 0..n-1 in the fake library (sparse: no data files), named `<dir>/out/<id>` as archive named them. */
export function seedLibrary(library: string, poolDir: string, n: number, sizeBytes: number, volumes: number): void {
  const BATCH = 50_000;
  for (let start = 0; start < n; start += BATCH) {
    const specs: SeedSpec[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      specs.push({ path: path.join(poolDir, 'out', benchId(i)), sizeBytes, volume: volumeOf(i, volumes).volume, description: 'bench' });
    }
    seedObjects(library, specs);
  }
}
