export { isPnfsid } from './pnfsid.js';
export { poolLayout, preparePool, PoolLayoutError, POOL_SUBDIRS, type PoolLayout } from './layout.js';
export { scanPoolDir, listPnfsids, type PoolFile } from './scan.js';
export { DirIndex } from './dir-index.js';
