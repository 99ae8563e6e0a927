/**
 * WLCG's tape metrics (TapeMetricsJSON) from the session history. Pure.
 *
 * The format, as WLCG's page defines it
 * (https://twiki.cern.ch/twiki/bin/view/HEPTape/TapeMetricsJSON) and as
 * CERN's CTA, FNAL's Enstore/CTA scripts and NDGF's dCache (SGAS plugin)
 * publish it:
 *
 *   { "storageservice": {
 *       "name": "SITE-Tape", "implementation": "...", "implementationversion": "...",
 *       "latestupdate": <unix seconds>,
 *       "storageshares": [ {
 *         "name": "<share>", "vos": ["<vo>"], "timestamp": <unix seconds>,
 *         "usedsize": <bytes, rounded to decimal GB>, "occupiedsize": <bytes, rounded to decimal GB>,
 *         "readbytes24h": <bytes>, "writebytes24h": <bytes>,
 *         "totalmounts24h": <count>, "uniquemounts24h": <count>,
 *         "avgtaperemounts": <mounts per tape, 2 decimals; ideal 1> } ] } }
 *
 * usedsize: the VO's data on tape (referenced files only); occupiedsize: the
 * capacity of its tapes, holes and free space included. WLCG asks for both;
 * where a site cannot know occupiedsize it publishes usedsize there (WLCG's
 * advice quoted in the SGAS plugin), and so does endit: it knows only the
 * file sizes of the hint file. Without a hint file both are left out.
 */
import type { SessionHistoryRecord } from './session-record.js';

/** The figures' window: the last 24 hours before `nowMs`. */
export const TAPE_METRICS_WINDOW_MS = 24 * 3600 * 1000;

/** WLCG's sizes are decimal: 1 GB = 10^9 bytes. */
const DECIMAL_GB = 1e9;

/** The volume of a retriever record without one (it should have one): as the retriever names hint-less recalls. */
const NO_VOLUME = 'default';

export interface VoTapeMetrics {
  readonly vo: string;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly totalMounts: number;
  readonly uniqueMounts: number;
  /** Sum of the hint files' sizes of the VO's HSMs; null when none was given. */
  readonly usedBytes: number | null;
}

export interface TapeMetricsInput {
  readonly records: readonly SessionHistoryRecord[];
  readonly nowMs: number;
  /** `--vo HSM=VO`; an HSM not listed is its own VO. */
  readonly voByHsm: ReadonlyMap<string, string>;
  /** Bytes listed in the hint file of an HSM (`--hints`). */
  readonly usedBytesByHsm: ReadonlyMap<string, number>;
}

interface VoAccumulator {
  readBytes: number;
  writeBytes: number;
  totalMounts: number;
  readonly mountedVolumes: Set<string>;
  usedBytes: number | null;
}

/** A fresh mount: a retriever session that did not ride a tape still in its drive, and whose dsmc did start. */
function isMount(record: SessionHistoryRecord): boolean {
  return record.daemon === 'retriever' && !record.followOn && record.pid !== null;
}

function addRecord(share: VoAccumulator, record: SessionHistoryRecord): void {
  if (record.daemon === 'retriever') share.readBytes += record.bytes;
  if (record.daemon === 'archiver') share.writeBytes += record.bytes;
  if (isMount(record)) {
    share.totalMounts++;
    // One tape is one (hsm, volume): two pools' volume names need not name the same tape.
    share.mountedVolumes.add(JSON.stringify([record.hsm, record.volume ?? NO_VOLUME]));
  }
}

/**
 * The figures per VO: bytes read (retriever) and written (archiver) by the
 * sessions whose `end` lies in (now - 24 h, now], fresh mounts and distinct
 * tapes mounted; a session found twice counts once. Every HSM named by any record (however old) or hint file
 * gets its VO's share, with zeros when it was idle. VOs by name.
 */
export function aggregateTapeMetrics(input: TapeMetricsInput): VoTapeMetrics[] {
  const shares = new Map<string, VoAccumulator>();
  const shareOf = (hsm: string): VoAccumulator => {
    const vo = input.voByHsm.get(hsm) ?? hsm;
    let share = shares.get(vo);
    if (share === undefined) {
      share = { readBytes: 0, writeBytes: 0, totalMounts: 0, mountedVolumes: new Set(), usedBytes: null };
      shares.set(vo, share);
    }
    return share;
  };
  const sinceMs = input.nowMs - TAPE_METRICS_WINDOW_MS;
  const seen = new Set<string>();
  for (const record of input.records) {
    // The same session twice (a host's files copied twice) counts once.
    const key = JSON.stringify([record.hsm, record.daemon, record.pid, record.start, record.end]);
    if (seen.has(key)) continue;
    seen.add(key);
    const share = shareOf(record.hsm);
    const endMs = Date.parse(record.end);
    if (endMs > sinceMs && endMs <= input.nowMs) addRecord(share, record);
  }
  for (const [hsm, bytes] of input.usedBytesByHsm) {
    const share = shareOf(hsm);
    share.usedBytes = (share.usedBytes ?? 0) + bytes;
  }
  return [...shares]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([vo, share]) => ({
      vo,
      readBytes: share.readBytes,
      writeBytes: share.writeBytes,
      totalMounts: share.totalMounts,
      uniqueMounts: share.mountedVolumes.size,
      usedBytes: share.usedBytes,
    }));
}

/** Mounts per tape mounted, to 2 decimals (WLCG: ideal 1.00); 0 when no tape was mounted. */
export function avgTapeRemounts(totalMounts: number, uniqueMounts: number): number {
  return uniqueMounts === 0 ? 0 : Math.round((totalMounts / uniqueMounts) * 100) / 100;
}

/** Bytes rounded to decimal GB, as WLCG asks for sizes (round(x, -9)). */
export function roundToDecimalGb(bytes: number): number {
  return Math.round(bytes / DECIMAL_GB) * DECIMAL_GB;
}

export interface TapeMetricsShare {
  readonly name: string;
  readonly vos: readonly string[];
  readonly timestamp: number;
  readonly usedsize?: number;
  readonly occupiedsize?: number;
  readonly readbytes24h: number;
  readonly writebytes24h: number;
  readonly totalmounts24h: number;
  readonly uniquemounts24h: number;
  readonly avgtaperemounts: number;
}

export interface TapeMetricsJson {
  readonly storageservice: {
    readonly name: string;
    readonly implementation: string;
    readonly implementationversion: string;
    readonly latestupdate: number;
    readonly storageshares: readonly TapeMetricsShare[];
  };
}

function shareJson(metrics: VoTapeMetrics, timestampSec: number): TapeMetricsShare {
  const sizes = metrics.usedBytes === null ? {} : { usedsize: roundToDecimalGb(metrics.usedBytes), occupiedsize: roundToDecimalGb(metrics.usedBytes) };
  return {
    name: metrics.vo,
    vos: [metrics.vo],
    timestamp: timestampSec,
    ...sizes,
    readbytes24h: metrics.readBytes,
    writebytes24h: metrics.writeBytes,
    totalmounts24h: metrics.totalMounts,
    uniquemounts24h: metrics.uniqueMounts,
    avgtaperemounts: avgTapeRemounts(metrics.totalMounts, metrics.uniqueMounts),
  };
}

export interface TapeMetricsService {
  /** The storage service as WLCG knows it, e.g. `NDGF-T1-Tape`. */
  readonly name: string;
  readonly implementationVersion: string;
  readonly nowMs: number;
}

/** The TapeMetricsJSON document; timestamps are the report's time in unix seconds. */
export function buildTapeMetricsJson(shares: readonly VoTapeMetrics[], service: TapeMetricsService): TapeMetricsJson {
  const nowSec = Math.floor(service.nowMs / 1000);
  return {
    storageservice: {
      name: service.name,
      implementation: 'ENDIT',
      implementationversion: service.implementationVersion,
      latestupdate: nowSec,
      storageshares: shares.map((share) => shareJson(share, nowSec)),
    },
  };
}
