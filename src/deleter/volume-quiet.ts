/**
 * Volume-aware deletion (SPEC 11.7): the queued deletions of a tape volume
 * are sent only once the volume has had no new deletion for
 * `deleter_volumequiet` seconds, or when the queue covers every object the
 * hints list on it. Ids without a hint are sent as usual. Pure.
 */

export interface VolumeQuietInput {
  /** The queued ids, without duplicates. */
  readonly ids: Iterable<string>;
  /** The volume of an id from the hint file; undefined without a hint. */
  readonly volumeOf: (id: string) => string | undefined;
  /** How many ids the hint file lists on a volume. */
  readonly hintedOnVolume: (volume: string) => number;
  /** When each volume last got a new deletion (an id of it queued). */
  readonly lastDeletionMs: ReadonlyMap<string, number>;
  readonly nowMs: number;
  /** 0: off, everything is sent. */
  readonly quietMs: number;
}

export type ReleaseReason = 'quiet' | 'covered';

export interface HeldVolume {
  readonly ids: number;
  readonly releaseAtMs: number;
  /** Ids the hints list on the volume that are not queued: this many new deletions may complete it. */
  readonly missing: number;
}

export interface VolumeQuietSelection {
  readonly send: string[];
  readonly held: string[];
  readonly heldVolumes: ReadonlyMap<string, HeldVolume>;
  /** Volumes whose ids go now, and why. */
  readonly releasedVolumes: ReadonlyMap<string, ReleaseReason>;
  /** Ids sent because they have no hint. */
  readonly unhinted: number;
}

/** When a volume may be sent: its last new deletion plus the quiet time (a date in the future counts from now). */
export function volumeReleaseAtMs(lastDeletionMs: number | undefined, nowMs: number, quietMs: number): number {
  if (lastDeletionMs === undefined) return nowMs;
  return Math.min(lastDeletionMs, nowMs) + quietMs;
}

export function selectVolumeQuietIds(input: VolumeQuietInput): VolumeQuietSelection {
  const all = [...input.ids];
  if (input.quietMs <= 0) {
    return { send: all, held: [], heldVolumes: new Map(), releasedVolumes: new Map(), unhinted: 0 };
  }
  const queuedOnVolume = new Map<string, number>();
  const volumes: (string | undefined)[] = all.map((id) => {
    const volume = input.volumeOf(id);
    if (volume !== undefined) queuedOnVolume.set(volume, (queuedOnVolume.get(volume) ?? 0) + 1);
    return volume;
  });
  const releasedVolumes = new Map<string, ReleaseReason>();
  const heldVolumes = new Map<string, HeldVolume>();
  for (const [volume, queued] of queuedOnVolume) {
    const releaseAtMs = volumeReleaseAtMs(input.lastDeletionMs.get(volume), input.nowMs, input.quietMs);
    if (input.nowMs >= releaseAtMs) releasedVolumes.set(volume, 'quiet');
    else if (queued >= input.hintedOnVolume(volume)) releasedVolumes.set(volume, 'covered');
    else heldVolumes.set(volume, { ids: queued, releaseAtMs, missing: input.hintedOnVolume(volume) - queued });
  }
  const send: string[] = [];
  const held: string[] = [];
  let unhinted = 0;
  all.forEach((id, index) => {
    const volume = volumes[index];
    if (volume === undefined) unhinted++;
    if (volume !== undefined && heldVolumes.has(volume)) held.push(id);
    else send.push(id);
  });
  return { send, held, heldVolumes, releasedVolumes, unhinted };
}

/** The earliest time a held volume becomes quiet; Infinity with none held. */
export function earliestReleaseMs(heldVolumes: ReadonlyMap<string, HeldVolume>): number {
  let earliest = Infinity;
  for (const volume of heldVolumes.values()) earliest = Math.min(earliest, volume.releaseAtMs);
  return earliest;
}
