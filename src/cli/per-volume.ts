import { compareTapeOrder, parseOrderKey, type TapeOrdered } from '../retriever/tape-order.js';
import { DEFAULT_VOLUME } from '../retriever/volume-name.js';
import { volumeOf, type HintMap, type TapeHint } from './hint-file.js';
import type { RecallRequest } from './request-scan.js';

export { DEFAULT_VOLUME };

/** What the hint file lists on one volume. */
export interface VolumeContent {
  readonly volume: string;
  readonly files: number;
  /** Sum of the known sizes. */
  readonly bytes: number;
  readonly unknownSizeFiles: number;
  /** In tape order. */
  readonly ids: readonly string[];
}

/** Pending recalls of one volume. */
export interface VolumeQueue {
  readonly volume: string;
  readonly files: number;
  readonly bytes: number;
  readonly oldestMtimeMs: number;
  /** In tape order where the hints give one, else by id. */
  readonly ids: readonly string[];
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Ids in tape order (hint `order`); ids without a known position last, by id. */
function inTapeOrder(ids: readonly string[], hints: HintMap): string[] {
  const ordered: TapeOrdered[] = ids.map((id) => ({ id, order: parseOrderKey(hints.get(id)?.order) }));
  return ordered.sort(compareTapeOrder).map((item) => item.id);
}

/** Files and bytes per volume from the hints, volumes by name. Pure. */
export function summarizeHintVolumes(hints: HintMap): VolumeContent[] {
  const groups = groupBy<[string, TapeHint]>(hints.entries(), ([, hint]) => volumeOf(hint));
  return [...groups]
    .map(([volume, entries]) => ({
      volume,
      files: entries.length,
      bytes: entries.reduce((sum, [, hint]) => sum + (hint.sizeBytes ?? 0), 0),
      unknownSizeFiles: entries.filter(([, hint]) => hint.sizeBytes === undefined).length,
      ids: inTapeOrder(entries.map(([id]) => id), hints),
    }))
    .sort((a, b) => (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0));
}

/** Pending recalls per volume (`default` without a hint), most waiting bytes first. Pure. */
export function groupRecallsByVolume(recalls: readonly RecallRequest[], hints: HintMap): VolumeQueue[] {
  const groups = groupBy(recalls, (request) => {
    const hint = hints.get(request.id);
    return hint === undefined ? DEFAULT_VOLUME : volumeOf(hint);
  });
  return [...groups]
    .map(([volume, requests]) => ({
      volume,
      files: requests.length,
      bytes: requests.reduce((sum, request) => sum + request.sizeBytes, 0),
      oldestMtimeMs: requests.reduce((oldest, request) => Math.min(oldest, request.mtimeMs), Infinity),
      ids: inTapeOrder(requests.map((request) => request.id), hints),
    }))
    .sort((a, b) => b.bytes - a.bytes || (a.volume < b.volume ? -1 : 1));
}
