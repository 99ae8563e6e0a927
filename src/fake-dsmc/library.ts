// The tape library kept in a directory:
//   catalog.jsonl      add/del records (see catalog.ts)
//   data/<seq>         object data (absent for sparse seeded objects: zeros)
//   state.json         next object number, next volume id, the volume archive is filling
//   positions/<vol>    last tape position used on each volume, and its numeric volume id
//   drives.json        the drives' state when the scenario has a library (see drive-state.ts)
//   lock               held only while allocating (see lock.ts)
//   journal.jsonl      the default journal (see journal.ts)
// Several fake dsmc processes may use it at once.
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AddRecord, LibraryObject, StoredObject } from './catalog.js';
import { formatCatalogRecord, toAddRecord } from './catalog.js';
import type { CatalogFilter } from './catalog-scan.js';
import { readCatalog } from './catalog-scan.js';
import { isSafeAbsolutePath } from './file-list.js';
import { withLock } from './lock.js';
import { isErrno, errnoCode } from '../core/errors.js';

export type { LibraryObject, StoredObject } from './catalog.js';
export type { JournalEndEntry, JournalEntry, JournalSignalEntry, JournalStartEntry } from './journal.js';
export { readJournal } from './journal.js';

const CATALOG_FILE = 'catalog.jsonl';
const STATE_FILE = 'state.json';

export interface VolumePolicy {
  filesPerVolume: number;
  volumePrefix: string;
}

const DEFAULT_POLICY: VolumePolicy = { filesPerVolume: 4, volumePrefix: 'L' };

interface LibraryState {
  nextSeq: number;
  volumeIndex: number;
  volumeCount: number;
  /** Absent in a library written before volumes had numeric ids. */
  nextVolumeId?: number;
}

export interface Slot {
  seq: number;
  volume: string;
  volumeId: number;
  position: number;
}

/**
 * The numeric `Volume ID:` query archive prints (real dsmc prints the server's volume
 * number, not the label, and tsmtapehints.pl matches only digits): the first volume a
 * library uses gets 100001, the next 100002, whatever their labels.
 */
const FIRST_VOLUME_ID = 100_001;

interface VolumeRecord {
  position: number;
  volumeId: number;
}

export function ensureLibrary(libraryDir: string): void {
  mkdirSync(join(libraryDir, 'data'), { recursive: true });
  mkdirSync(join(libraryDir, 'positions'), { recursive: true });
}

export function dataPath(libraryDir: string, seq: number): string {
  return join(libraryDir, 'data', String(seq));
}

/** `L00001L8`: prefix, five-digit number, LTO-8 suffix. */
export function planVolumeName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}L8`;
}

// Small records (state, positions) are rewritten in place at a fixed width: no
// truncation and no rename-over, which on ext4 (auto_da_alloc) would force a flush and
// cost a millisecond per allocation. A single pwrite is never torn by a signal.
const RECORD_WIDTH = 128;

function readRecord(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function openForRewrite(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
    return openSync(path, 'w');
  }
}

function writeRecord(path: string, text: string): void {
  if (text.length > RECORD_WIDTH) throw new Error(`record too long for ${path}`);
  const fd = openForRewrite(path);
  try {
    writeSync(fd, text.padEnd(RECORD_WIDTH), 0);
  } finally {
    closeSync(fd);
  }
}

function readState(libraryDir: string): LibraryState {
  const text = readRecord(join(libraryDir, STATE_FILE));
  return text === undefined ? { nextSeq: 1, volumeIndex: 1, volumeCount: 0 } : (JSON.parse(text) as LibraryState);
}

function positionFile(libraryDir: string, volume: string): string {
  return join(libraryDir, 'positions', encodeURIComponent(volume));
}

/** `<last position> <volume id>`; undefined for a volume not used yet. */
function readVolumeRecord(libraryDir: string, volume: string): VolumeRecord | undefined {
  const text = readRecord(positionFile(libraryDir, volume));
  if (text === undefined) return undefined;
  const [position, volumeId] = text.split(' ').map(Number);
  return { position: position ?? 0, volumeId: volumeId ?? 0 };
}

/** The record of a volume, a new one (next volume id, position 0) for a volume not used yet. */
function volumeRecordFor(libraryDir: string, volume: string, state: LibraryState): VolumeRecord {
  const known = readVolumeRecord(libraryDir, volume);
  if (known !== undefined && known.volumeId > 0) return known;
  const volumeId = state.nextVolumeId ?? FIRST_VOLUME_ID;
  state.nextVolumeId = volumeId + 1;
  return { position: known?.position ?? 0, volumeId };
}

/** Next volume and count for archive's own filling, without touching disk. */
function planAutoVolume(state: LibraryState, policy: VolumePolicy): { index: number; count: number } {
  return state.volumeCount >= policy.filesPerVolume ? { index: state.volumeIndex + 1, count: 1 } : { index: state.volumeIndex, count: state.volumeCount + 1 };
}

/**
 * Reserves object numbers and tape positions for `volumes.length` objects in one lock
 * hold; an undefined volume means "the volume archive is filling".
 */
export function allocateSlots(libraryDir: string, volumes: readonly (string | undefined)[], policy: VolumePolicy): Slot[] {
  return withLock(libraryDir, () => {
    const state = readState(libraryDir);
    const records = new Map<string, VolumeRecord>();
    const slots = volumes.map((wanted): Slot => {
      let volume = wanted;
      if (volume === undefined) {
        const auto = planAutoVolume(state, policy);
        state.volumeIndex = auto.index;
        state.volumeCount = auto.count;
        volume = planVolumeName(policy.volumePrefix, auto.index);
      }
      const record = records.get(volume) ?? volumeRecordFor(libraryDir, volume, state);
      record.position += 1;
      records.set(volume, record);
      const seq = state.nextSeq;
      state.nextSeq += 1;
      return { seq, volume, volumeId: record.volumeId, position: record.position };
    });
    for (const [volume, record] of records) writeRecord(positionFile(libraryDir, volume), `${record.position} ${record.volumeId}`);
    writeRecord(join(libraryDir, STATE_FILE), JSON.stringify(state));
    return slots;
  });
}

/** Appends formatted catalog records (one write). */
function appendCatalog(libraryDir: string, text: string): void {
  if (text !== '') appendFileSync(join(libraryDir, CATALOG_FILE), text);
}

function appendRecords(libraryDir: string, records: readonly AddRecord[]): void {
  appendCatalog(libraryDir, records.map(formatCatalogRecord).join(''));
}

/**
 * The live objects, in archive order: every one, or those `filter` keeps. Re-reads
 * the catalog in chunks (call once per session); ten million objects never make one string.
 */
export function loadObjects(libraryDir: string, filter?: CatalogFilter): StoredObject[] {
  let fd: number;
  try {
    fd = openSync(join(libraryDir, CATALOG_FILE), 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  try {
    return readCatalog((buffer, offset, length) => readSync(fd, buffer, offset, length, null), filter);
  } finally {
    closeSync(fd);
  }
}

/** Public view of the library for tests: every live object in archive order. */
export function listObjects(libraryDir: string): LibraryObject[] {
  return loadObjects(libraryDir).map(({ sparse: _sparse, ...object }) => object);
}

export interface ArchiveRequest {
  source: string;
  description: string;
  archivedAtMs: number;
  deleteFiles: boolean;
  policy: VolumePolicy;
}

function linkOrCopy(source: string, target: string, move: boolean): void {
  if (move) {
    try {
      linkSync(source, target);
      return;
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    }
  }
  copyFileSync(source, `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
}

/**
 * Stores one file as a new object. A move is link + catalog record + unlink of the
 * source: the source disappears only once the object is safely recorded, and a kill
 * in between leaves at worst a duplicate, never a loss (what -deletefiles promises).
 */
export function archiveFile(libraryDir: string, request: ArchiveRequest): StoredObject {
  const [slot] = allocateSlots(libraryDir, [undefined], request.policy);
  if (slot === undefined) throw new Error('no slot allocated');
  const target = dataPath(libraryDir, slot.seq);
  linkOrCopy(request.source, target, request.deleteFiles);
  const sizeBytes = statSync(target).size;
  const object: StoredObject = {
    ...slot,
    path: request.source,
    id: request.source.slice(request.source.lastIndexOf('/') + 1),
    sizeBytes,
    description: request.description,
    archivedAtMs: request.archivedAtMs,
    sparse: false,
  };
  appendRecords(libraryDir, [toAddRecord(object)]);
  if (request.deleteFiles) unlinkSync(request.source);
  return object;
}

/**
 * The deletions of a session, written in batches: the catalog records of a
 * batch in one write, then the objects' data removed. `flush` runs before
 * each flush of the output (see Output.setBeforeFlush), so a deletion is
 * on record before dsmc reports it, and a kill loses only deletions not yet
 * reported (their objects stay whole). One appendFileSync per object was
 * half the fake's CPU in a delete of 100,000 objects.
 */
export class DeletionBatch {
  private records = '';
  private dataFiles: string[] = [];

  constructor(private readonly libraryDir: string) {}

  add(object: StoredObject): void {
    this.records += formatCatalogRecord({ op: 'del', seq: object.seq });
    if (!object.sparse) this.dataFiles.push(dataPath(this.libraryDir, object.seq));
  }

  flush(): void {
    if (this.records === '') return;
    appendCatalog(this.libraryDir, this.records);
    this.records = '';
    for (const file of this.dataFiles) removeData(file);
    this.dataFiles = [];
  }
}

function removeData(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

export interface SeedSpec {
  path: string;
  /** Required unless `content` is given; without content the data reads as zeros. */
  sizeBytes?: number;
  volume?: string;
  content?: string | Uint8Array;
  description?: string;
  archivedAtMs?: number;
}

function seedSize(spec: SeedSpec): number {
  const contentBytes = spec.content === undefined ? undefined : Buffer.byteLength(spec.content);
  const sizeBytes = spec.sizeBytes ?? contentBytes;
  if (sizeBytes === undefined) throw new Error(`seed ${spec.path}: sizeBytes or content required`);
  if (contentBytes !== undefined && contentBytes !== sizeBytes) throw new Error(`seed ${spec.path}: content is ${contentBytes} bytes, not ${sizeBytes}`);
  return sizeBytes;
}

function writeSeedData(libraryDir: string, seq: number, content: string | Uint8Array): void {
  const fd = openSync(dataPath(libraryDir, seq), 'wx');
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts objects into the library without running archive (for retriever tests), in one
 * lock hold and one catalog write. Objects without content take no disk space.
 */
export function seedObjects(libraryDir: string, specs: readonly SeedSpec[], policy: VolumePolicy = DEFAULT_POLICY): LibraryObject[] {
  ensureLibrary(libraryDir);
  for (const spec of specs) {
    if (!isSafeAbsolutePath(spec.path)) throw new Error(`seed: not a safe absolute path: ${spec.path}`);
  }
  const sizes = specs.map(seedSize);
  const slots = allocateSlots(libraryDir, specs.map((spec) => spec.volume), policy);
  const nowMs = Date.now();
  const objects = specs.map((spec, index): StoredObject => {
    const slot = slots[index] as Slot;
    if (spec.content !== undefined) writeSeedData(libraryDir, slot.seq, spec.content);
    return {
      ...slot,
      path: spec.path,
      id: spec.path.slice(spec.path.lastIndexOf('/') + 1),
      sizeBytes: sizes[index] ?? 0,
      description: spec.description ?? 'seeded',
      archivedAtMs: spec.archivedAtMs ?? nowMs,
      sparse: spec.content === undefined,
    };
  });
  appendRecords(libraryDir, objects.map(toAddRecord));
  return objects.map(({ sparse: _sparse, ...object }) => object);
}

export function seedObject(libraryDir: string, spec: SeedSpec, policy?: VolumePolicy): LibraryObject {
  const [object] = seedObjects(libraryDir, [spec], policy);
  if (object === undefined) throw new Error('seed failed');
  return object;
}
