/**
 * Which waiting volume gets the next drive, and when a list is worth a
 * mount (issue 11, README "Which volume goes next"). Pure: the time comes
 * in as `nowMs`.
 *
 * 1. Starving: a volume whose oldest request has waited at least
 *    retriever_reqlistfillwaitmax goes first, oldest first, so nothing
 *    waits much longer than that.
 * 2. Follow-on: a volume whose tape is estimated still mounted costs no
 *    mount; the most work first.
 * 3. Fresh mounts by the work a mount buys, weighted by the age of the
 *    oldest request: (bytes + MOUNT_COST_BYTES) × (1 + age / fillwaitmax).
 *    The mount cost equivalent keeps a small but old volume from waiting
 *    behind big young ones for ever; the age weight doubles a volume's
 *    claim by the time it starves.
 * 4. Remounts: a volume whose tape was really mounted less than
 *    retriever_remountdelay ago, by the same score, after every other
 *    volume: it gets a drive only when no other volume could use it.
 */

/** What a mount cycle costs in drive time (robot, load, first locate, rewind, unload: about 3 minutes on LTO-9), as bytes read at 400 MB/s. */
export const MOUNT_COST_BYTES = 72e9;

/** A list under a mount's worth waits for company until its oldest request has waited this part of retriever_reqlistfillwaitmax. */
const SMALL_LIST_WAIT_FRACTION = 1 / 3;

export interface VolumeCandidate {
  readonly name: string;
  readonly bytes: number;
  readonly oldestMs: number;
  /** When the policy first saw the volume waiting: counts the age when mtimes lie in the future. */
  readonly waitingSinceMs: number | null;
  /** Its tape is estimated still in a drive: a session costs no mount. */
  readonly mounted: boolean;
  /** Its tape was really mounted less than retriever_remountdelay ago (and is not estimated still mounted). */
  readonly recentlyMounted: boolean;
}

export type PriorityClass = 'starving' | 'follow-on' | 'work' | 'remount';

export interface RankedVolume {
  readonly name: string;
  readonly priority: PriorityClass;
  readonly mounted: boolean;
  readonly ageMs: number;
  readonly score: number;
}

const CLASS_RANK: Readonly<Record<PriorityClass, number>> = { starving: 0, 'follow-on': 1, work: 2, remount: 3 };

/** How long the volume's oldest request has waited: by its mtime or since first seen, whichever is longer; never negative. */
export function volumeAgeMs(candidate: Pick<VolumeCandidate, 'oldestMs' | 'waitingSinceMs'>, nowMs: number): number {
  const byMtime = nowMs - candidate.oldestMs;
  const bySeen = candidate.waitingSinceMs === null ? 0 : nowMs - candidate.waitingSinceMs;
  return Math.max(0, byMtime, bySeen);
}

/**
 * How long a list still waits for more requests of its tape before it is
 * worth a mount: 0 once it carries MOUNT_COST_BYTES, or once its oldest
 * request has waited SMALL_LIST_WAIT_FRACTION of fillwaitmax. A stray
 * recall thus rides along with the next wave on its tape instead of
 * costing a mount cycle of its own, unless it gets old.
 */
export function smallListWaitMs(bytes: number, ageMs: number, fillWaitMaxMs: number): number {
  if (bytes >= MOUNT_COST_BYTES) return 0;
  return Math.max(0, fillWaitMaxMs * SMALL_LIST_WAIT_FRACTION - ageMs);
}

/**
 * How long a list must have been quiet (no newer request) to be complete:
 * retriever_reqlistfillwait, or half of it for a list already worth a
 * mount. The fill wait keeps a wave of requests from being split over two
 * mounts; requests of a big list that come after its session started
 * mostly find its tape still in the drive (a follow-on, no mount).
 */
export function quietWaitMs(bytes: number, fillWaitMs: number): number {
  return bytes >= MOUNT_COST_BYTES ? fillWaitMs / 2 : fillWaitMs;
}

function priorityOf(candidate: VolumeCandidate, ageMs: number, fillWaitMaxMs: number): PriorityClass {
  if (ageMs >= fillWaitMaxMs) return 'starving';
  if (candidate.mounted) return 'follow-on';
  return candidate.recentlyMounted ? 'remount' : 'work';
}

export function classifyVolumePriority(candidate: VolumeCandidate, nowMs: number, fillWaitMaxMs: number): RankedVolume {
  const ageMs = volumeAgeMs(candidate, nowMs);
  const score = (candidate.bytes + MOUNT_COST_BYTES) * (1 + ageMs / Math.max(1, fillWaitMaxMs));
  return { name: candidate.name, priority: priorityOf(candidate, ageMs, fillWaitMaxMs), mounted: candidate.mounted, ageMs, score };
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
