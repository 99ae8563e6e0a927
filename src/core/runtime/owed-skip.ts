/** What a cycle knows, after its look at its big directory, about a SIGUSR1. */
export interface OwedSkipView {
  /** A SIGUSR1 came for this cycle. */
  readonly skipDelays: boolean;
  /** A SIGUSR1 came during a listing that is not complete yet. */
  readonly owed: boolean;
  /** The listing under way goes on in a later cycle. */
  readonly listingPending: boolean;
}

/**
 * A SIGUSR1 during a long listing (issue 15 item 4: a million entries) is
 * acted on at once for what the listing found so far, and is owed for the
 * rest: the first decision after the listing is complete skips its delays
 * too, so that what was waiting when the signal came is acted on without a
 * second signal. Pure.
 */
export function decideOwedSkip(view: OwedSkipView): { readonly skipDelays: boolean; readonly owed: boolean } {
  return {
    skipDelays: view.skipDelays || (view.owed && !view.listingPending),
    owed: view.listingPending && (view.skipDelays || view.owed),
  };
}
