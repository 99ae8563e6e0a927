export { isPnfsid, MAX_PNFSID_LENGTH } from './pnfsid.js';
export { poolLayout, preparePool, PoolLayoutError, POOL_SUBDIRS, type PoolLayout } from './layout.js';
export { scanPoolDir, readPnfsids, statPoolFile, type PoolFile } from './scan.js';
export { PoolFiles, PoolFilesBuilder } from './pool-files.js';
export { LISTING_DUTY, listingIntervalMs } from './listing-duty.js';
export { DirIndex, isSettledStamp, type DirChanges, type DirIndexOptions } from './dir-index.js';
export { NameHashIndex, CompactNameSet, hashName } from './name-index.js';
export { NOT_PACKABLE, PACKED_ID_BYTES, PackedIdTable, packIdRecord } from './packed-id-table.js';
export { entryKind, OddEntryWarnings, type EntryKind, type OddEntryWarn } from './odd-entries.js';
