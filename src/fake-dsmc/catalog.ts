// The library catalog: an append-only JSON-lines file of `add` and `del` records.
// Appends need no lock (one write per record); readers rebuild the live set
// (catalog-scan.ts). Pure.
import { basename } from 'node:path';

export interface LibraryObject {
  /** Library-wide object number, increasing in archive order. */
  seq: number;
  path: string;
  id: string;
  sizeBytes: number;
  volume: string;
  /** The numeric volume id query archive prints as `Volume ID:`. */
  volumeId: number;
  position: number;
  description: string;
  archivedAtMs: number;
}

/** A catalogued object; `sparse` objects have no data file and read as zeros. */
export interface StoredObject extends LibraryObject {
  sparse: boolean;
}

export interface AddRecord {
  op: 'add';
  seq: number;
  path: string;
  sizeBytes: number;
  volume: string;
  volumeId: number;
  position: number;
  description: string;
  archivedAtMs: number;
  sparse: boolean;
}

export interface DeleteRecord {
  op: 'del';
  seq: number;
}

export type CatalogRecord = AddRecord | DeleteRecord;

export function formatCatalogRecord(record: CatalogRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function toAddRecord(object: StoredObject): AddRecord {
  const { seq, path, sizeBytes, volume, volumeId, position, description, archivedAtMs, sparse } = object;
  return { op: 'add', seq, path, sizeBytes, volume, volumeId, position, description, archivedAtMs, sparse };
}

export function toStoredObject(record: AddRecord): StoredObject {
  const { seq, path, sizeBytes, volume, volumeId, position, description, archivedAtMs, sparse } = record;
  return { seq, path, id: basename(path), sizeBytes, volume, volumeId, position, description, archivedAtMs, sparse };
}

/** Objects grouped by path, each group in archive order (first archived first). */
export function indexByPath(objects: readonly StoredObject[]): Map<string, StoredObject[]> {
  const index = new Map<string, StoredObject[]>();
  for (const object of objects) {
    const group = index.get(object.path);
    if (group === undefined) index.set(object.path, [object]);
    else group.push(object);
  }
  return index;
}
