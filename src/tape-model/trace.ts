/**
 * Seeded recall traces: what dCache asks a retriever for, and when. Stage
 * requests come in waves, one per dataset a user wants back: a dataset was
 * archived in one go, so its files lie one after another on one tape (or
 * run on from the end of one tape to the beginning of the next), and their
 * requests arrive within a minute or two in no particular order. A few
 * stray single recalls fall anywhere. Sizes are a few GB, log-normal.
 * A pure function of its spec: the same seed gives the same trace.
 */
import { createRandom, randomExponential, randomInt, randomLogNormal, shuffled, type Random } from '../core/prng.js';

export interface TraceSpec {
  readonly seed: number;
  readonly recalls: number;
  readonly volumes: number;
  /** Waves start within [0, spanMs). */
  readonly spanMs: number;
  /** A wave's requests arrive within this after its start. */
  readonly waveSpreadMs: number;
  readonly meanWaveFiles: number;
  /** Part of the recalls that are stray singles rather than waves. */
  readonly singlesFraction: number;
  /** Part of the datasets that run on from one tape's end onto another tape. */
  readonly spillFraction: number;
  readonly medianSizeBytes: number;
  /** Spread of the logarithm of the size. */
  readonly sizeSigma: number;
  readonly minSizeBytes: number;
  readonly maxSizeBytes: number;
  readonly tapeCapacityBytes: number;
}

/** 600 recalls on 30 LTO-9 volumes over an hour: the bench's default workload. */
export const DEFAULT_TRACE_SPEC: TraceSpec = {
  seed: 1,
  recalls: 600,
  volumes: 30,
  spanMs: 60 * 60_000,
  waveSpreadMs: 2 * 60_000,
  meanWaveFiles: 15,
  singlesFraction: 0.1,
  spillFraction: 0.2,
  medianSizeBytes: 3e9,
  sizeSigma: 0.5,
  minSizeBytes: 100e6,
  maxSizeBytes: 20e9,
  tapeCapacityBytes: 18e12,
};

export interface TraceRequest {
  /** A pnfsid-like hex id, unique within the trace. */
  readonly id: string;
  readonly arrivalMs: number;
  readonly volume: string;
  readonly positionBytes: number;
  readonly sizeBytes: number;
}

type Draft = Omit<TraceRequest, 'id'>;

/** LTO-9 style barcode labels: `VT0000L9`, `VT0001L9`, ... */
export function volumeLabel(index: number): string {
  return `VT${String(index).padStart(4, '0')}L9`;
}

function sizeOf(random: Random, spec: TraceSpec): number {
  const size = randomLogNormal(random, spec.medianSizeBytes, spec.sizeSigma);
  return Math.round(Math.min(spec.maxSizeBytes, Math.max(spec.minSizeBytes, size)));
}

/** Files of a dataset on tape: back to back, with now and then unrequested files in between. */
function datasetLayout(random: Random, spec: TraceSpec, count: number): Array<{ offsetBytes: number; sizeBytes: number }> {
  const files: Array<{ offsetBytes: number; sizeBytes: number }> = [];
  let cursorBytes = 0;
  for (let i = 0; i < count; i++) {
    const sizeBytes = sizeOf(random, spec);
    files.push({ offsetBytes: cursorBytes, sizeBytes });
    const skipped = random() < 0.5 ? 0 : 1 + randomInt(random, 3);
    cursorBytes += sizeBytes;
    for (let s = 0; s < skipped; s++) cursorBytes += sizeOf(random, spec);
  }
  return files;
}

/** One wave: a dataset on one volume, or spilling from the end of one onto the start of another. */
function waveRequests(random: Random, spec: TraceSpec, count: number): Draft[] {
  const layout = datasetLayout(random, spec, count);
  const last = layout[layout.length - 1];
  const spanBytes = last === undefined ? 0 : last.offsetBytes + last.sizeBytes;
  const firstVolume = randomInt(random, spec.volumes);
  const spills = spec.volumes > 1 && count > 1 && random() < spec.spillFraction;
  const splitAt = spills ? 1 + randomInt(random, count - 1) : count;
  const secondVolume = (firstVolume + 1 + randomInt(random, spec.volumes - 1)) % spec.volumes;
  const splitBytes = layout[splitAt]?.offsetBytes ?? spanBytes;
  // A spilling dataset ends its first tape; otherwise it lies anywhere on it.
  const startBytes = spills ? spec.tapeCapacityBytes - splitBytes : Math.floor(random() * Math.max(0, spec.tapeCapacityBytes - spanBytes));
  const waveStartMs = Math.floor(random() * spec.spanMs);
  return layout.map((file, i) => ({
    arrivalMs: waveStartMs + Math.floor(random() * spec.waveSpreadMs),
    volume: volumeLabel(i < splitAt ? firstVolume : secondVolume),
    positionBytes: i < splitAt ? startBytes + file.offsetBytes : file.offsetBytes - splitBytes,
    sizeBytes: file.sizeBytes,
  }));
}

function singleRequest(random: Random, spec: TraceSpec): Draft {
  const sizeBytes = sizeOf(random, spec);
  return {
    arrivalMs: Math.floor(random() * (spec.spanMs + spec.waveSpreadMs)),
    volume: volumeLabel(randomInt(random, spec.volumes)),
    positionBytes: Math.floor(random() * (spec.tapeCapacityBytes - sizeBytes)),
    sizeBytes,
  };
}

/** `0000` + seed + index in hex: 36 characters like a dCache pnfsid. */
function requestId(seed: number, index: number): string {
  return `0000${(seed >>> 0).toString(16).padStart(8, '0')}${index.toString(16).padStart(24, '0')}`.toUpperCase();
}

/** The trace of `spec.recalls` requests, sorted by arrival. Pure. */
export function generateTrace(spec: TraceSpec): TraceRequest[] {
  const random = createRandom(spec.seed);
  const singles = Math.round(spec.recalls * spec.singlesFraction);
  const drafts: Draft[] = [];
  while (drafts.length < spec.recalls - singles) {
    const left = spec.recalls - singles - drafts.length;
    const wanted = Math.max(2, Math.round(randomExponential(random, spec.meanWaveFiles)));
    drafts.push(...waveRequests(random, spec, Math.min(left, wanted)));
  }
  for (let i = 0; i < singles; i++) drafts.push(singleRequest(random, spec));
  // Ties in arrival keep a random order, as a directory listing would.
  const ordered = shuffled(random, drafts).sort((a, b) => a.arrivalMs - b.arrivalMs);
  return ordered.map((draft, index) => ({ id: requestId(spec.seed, index), ...draft }));
}
