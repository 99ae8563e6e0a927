import type { LibrarySpec } from '../../src/tape-model/drive-model.js';

/** Round numbers: 1 GB/s, a 1 TB tape, 30 s mount, 5 s + 100 s per tape length locate, one drive. */
export const ROUND_SPEC: LibrarySpec = {
  drives: 1,
  robotMoveSec: 10,
  loadSec: 20,
  locateStartSec: 5,
  locateFullLengthSec: 100,
  rewindMinSec: 50,
  rewindMaxSec: 150,
  unloadSec: 30,
  readBytesPerSec: 1e9,
  tapeCapacityBytes: 1e12,
  mountRetentionMs: 3600_000,
  maxNumMp: null,
  ratedLoads: 20_000,
};
