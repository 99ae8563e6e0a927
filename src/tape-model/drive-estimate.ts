import { createLibrary, rewindSec, startSession, type LibrarySpec, type TapeFile } from './drive-model.js';

/** Drive time of one session reading a volume's files, by phase (seconds). An estimate: see estimateDriveTime. */
export interface DriveTimeEstimate {
  /** Robot and load; 0 when the tape is already in a drive. */
  readonly mountSec: number;
  readonly locateSec: number;
  readonly transferSec: number;
  /** Rewind and unload once the session is over. */
  readonly unmountSec: number;
  readonly totalSec: number;
}

/**
 * Where the files lie is not known (dsmc's restore order ranks them, it
 * gives no byte positions): they are taken to be spread evenly over the
 * tape in list order, with equal gaps before, between and after them. One
 * file then costs the average first locate (half the tape); many files
 * cost short skips, read through where that is quicker.
 */
function spreadOverTape(spec: LibrarySpec, sizesBytes: readonly number[]): TapeFile[] {
  const dataBytes = sizesBytes.reduce((sum, size) => sum + size, 0);
  const gapBytes = Math.max(0, spec.tapeCapacityBytes - dataBytes) / (sizesBytes.length + 1);
  let positionBytes = 0;
  return sizesBytes.map((sizeBytes) => {
    positionBytes += gapBytes;
    const file = { positionBytes, sizeBytes };
    positionBytes += sizeBytes;
    return file;
  });
}

/**
 * What reading these files (sizes in list order) in one session costs on
 * the modelled drives (drive-model.ts): mount unless `mounted`, locate and
 * read each file, then rewind and unload. Pure.
 */
export function estimateDriveTime(spec: LibrarySpec, sizesBytes: readonly number[], mounted: boolean): DriveTimeEstimate {
  if (sizesBytes.length === 0) return { mountSec: 0, locateSec: 0, transferSec: 0, unmountSec: 0, totalSec: 0 };
  const start = startSession(createLibrary({ ...spec, maxNumMp: null }), { volume: 'estimate', files: spreadOverTape(spec, sizesBytes), nowMs: 0 });
  if (start.kind !== 'started') throw new Error('an empty library always has a drive');
  const { plan } = start;
  const mountSec = mounted ? 0 : plan.mountSec;
  const headBytes = plan.files[plan.files.length - 1]?.headBytes ?? 0;
  const unmountSec = rewindSec(spec, headBytes) + spec.unloadSec;
  return { mountSec, locateSec: plan.locateSec, transferSec: plan.transferSec, unmountSec, totalSec: mountSec + plan.locateSec + plan.transferSec + unmountSec };
}
