/**
 * A listing that only looks for changes (not one an event asked for) runs at
 * most 1 in LISTING_DUTY of the time. At ten million entries one listing
 * takes 40–75 s, so a timer of a few seconds or a minute would keep a core
 * listing all the time, back to back, while a pool's directory changes every
 * second.
 */
export const LISTING_DUTY = 10;

/**
 * The least time from one such listing's start to the next: `minMs` (the
 * daemon's own interval), or LISTING_DUTY times as long as the last listing
 * took, whichever is longer. Pure.
 */
export function listingIntervalMs(minMs: number, lastTookMs = 0): number {
  return Math.max(minMs, LISTING_DUTY * Math.max(0, lastTookMs));
}
