/**
 * Which waiting volume gets the next drive (issue 11, README "Which volume
 * goes next"). Pure: the time comes in as `nowMs`.
 *
 * 1. Starving: a volume whose oldest request has waited at least
 *    retriever_reqlistfillwaitmax goes first, oldest first, so nothing
 *    waits much longer than that.
 * 2. Follow-on: a volume whose tape is estimated still mounted costs no
 *    mount; the most work first.
 * 3. The rest by the work a mount buys, weighted by the age of the oldest
 *    request: (bytes + MOUNT_COST_BYTES) × (1 + age / fillwaitmax). The
 *    mount cost equivalent keeps a small but old volume from waiting
 *    behind big young ones for ever; the age weight doubles a volume's
 *    claim by the time it starves.
 */

/** What a mount cycle costs in drive time (robot, load, first locate, rewind, unload: about 3 minutes on LTO-9), as bytes read at 400 MB/s. */
export const MOUNT_COST_BYTES = 72e9;

export interface VolumeCandidate {
  readonly name: string;
  readonly bytes: number;
  readonly oldestMs: number;
  /** When the policy first saw the volume waiting: counts the age when mtimes lie in the future. */
  readonly waitingSinceMs: number | null;
  /** Its tape is estimated still in a drive: a session costs no mount. */
  readonly mounted: boolean;
}

export type PriorityClass = 'starving' | 'follow-on' | 'work';

export interface RankedVolume {
  readonly name: string;
  readonly priority: PriorityClass;
  readonly ageMs: number;
  readonly score: number;
}

const CLASS_RANK: Readonly<Record<PriorityClass, number>> = { starving: 0, 'follow-on': 1, work: 2 };

/** How long the volume's oldest request has waited: by its mtime or since first seen, whichever is longer; never negative. */
export function volumeAgeMs(candidate: VolumeCandidate, nowMs: number): number {
  const byMtime = nowMs - candidate.oldestMs;
  const bySeen = candidate.waitingSinceMs === null ? 0 : nowMs - candidate.waitingSinceMs;
  return Math.max(0, byMtime, bySeen);
}

export function classifyVolumePriority(candidate: VolumeCandidate, nowMs: number, fillWaitMaxMs: number): RankedVolume {
  const ageMs = volumeAgeMs(candidate, nowMs);
  const priority: PriorityClass = ageMs >= fillWaitMaxMs ? 'starving' : candidate.mounted ? 'follow-on' : 'work';
  const score = (candidate.bytes + MOUNT_COST_BYTES) * (1 + ageMs / Math.max(1, fillWaitMaxMs));
  return { name: candidate.name, priority, ageMs, score };
}

function compareRanked(a: RankedVolume, b: RankedVolume): number {
  const byClass = CLASS_RANK[a.priority] - CLASS_RANK[b.priority];
  if (byClass !== 0) return byClass;
  const byWeight = a.priority === 'starving' ? b.ageMs - a.ageMs : b.score - a.score;
  if (byWeight !== 0) return byWeight;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The volumes in the order they get drives. */
export function rankVolumes(candidates: readonly VolumeCandidate[], nowMs: number, fillWaitMaxMs: number): RankedVolume[] {
  return candidates.map((c) => classifyVolumePriority(c, nowMs, fillWaitMaxMs)).sort(compareRanked);
}
