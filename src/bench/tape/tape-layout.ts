/**
 * Where a trace's files lie in the fake's library. The fake places an
 * object at the sum of the sizes of the objects before it on its volume,
 * so a traced file is put at its trace position by unrequested filler
 * objects in the gaps (sparse: catalog records, no data). Bytes are scaled
 * by `byteScale` (with the library's read rate and capacity), which keeps
 * every drive time as it is while the recalled files stay small. Pure.
 */
import type { TraceRequest } from '../../tape-model/trace.js';

export interface TapeObject {
  /** The object's pnfsid-like name: a traced request, or a filler. */
  readonly id: string;
  readonly volume: string;
  readonly sizeBytes: number;
  readonly filler: boolean;
}

export interface TapeLayout {
  /** Per volume in tape order, volumes in name order: the order to seed them in. */
  readonly objects: readonly TapeObject[];
  /** Each traced request's size after scaling: its request's `file_size`. */
  readonly sizeBytes: ReadonlyMap<string, number>;
  /** Traced files that overlapped the one before them on tape, moved on to its end... */
  readonly shiftedFiles: number;
  /** ...by at most this many bytes (at full size). */
  readonly maxShiftBytes: number;
}

/** A byte count scaled, at least 1 byte. */
export function scaleBytes(bytes: number, byteScale: number): number {
  return Math.max(1, Math.round(bytes * byteScale));
}

/** `FFFF`, the volume's index and the filler's number in hex: 36 digits, unlike any trace id (those start `0000`). */
function fillerId(volumeIndex: number, n: number): string {
  return `FFFF${volumeIndex.toString(16).padStart(8, '0')}${n.toString(16).padStart(24, '0')}`.toUpperCase();
}

function byVolume(trace: readonly TraceRequest[]): Map<string, TraceRequest[]> {
  const volumes = new Map<string, TraceRequest[]>();
  for (const request of trace) {
    const list = volumes.get(request.volume);
    if (list === undefined) volumes.set(request.volume, [request]);
    else list.push(request);
  }
  return new Map([...volumes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The objects of the trace's volumes, fillers in the gaps, sizes and positions scaled. */
export function planTapeLayout(trace: readonly TraceRequest[], byteScale: number): TapeLayout {
  const objects: TapeObject[] = [];
  const sizeBytes = new Map<string, number>();
  let shiftedFiles = 0;
  let maxShiftBytes = 0;
  [...byVolume(trace)].forEach(([volume, requests], volumeIndex) => {
    const ordered = [...requests].sort((a, b) => a.positionBytes - b.positionBytes || (a.id < b.id ? -1 : 1));
    let cursorBytes = 0;
    let fillers = 0;
    for (const request of ordered) {
      const gapBytes = Math.round(request.positionBytes * byteScale) - cursorBytes;
      if (gapBytes > 0) objects.push({ id: fillerId(volumeIndex, fillers++), volume, sizeBytes: gapBytes, filler: true });
      // A byte back is rounding (a file right after the one before it), not an overlap.
      else if (gapBytes < -1) {
        shiftedFiles++;
        maxShiftBytes = Math.max(maxShiftBytes, -gapBytes / byteScale);
      }
      const size = scaleBytes(request.sizeBytes, byteScale);
      objects.push({ id: request.id, volume, sizeBytes: size, filler: false });
      sizeBytes.set(request.id, size);
      cursorBytes += Math.max(0, gapBytes) + size;
    }
  });
  return { objects, sizeBytes, shiftedFiles, maxShiftBytes };
}
