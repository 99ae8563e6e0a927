import { setImmediate as yieldToEvents } from 'node:timers/promises';

/**
 * Work of a slice before the event loop gets its turn: short enough that a
 * signal, a finished session or a batch of a listing is seen at once, long
 * enough that the turns cost next to nothing.
 */
const SLICE_MS = 4;

export type SlicedOutcome<R> = { readonly stopped: false; readonly value: R } | { readonly stopped: true };

/**
 * Runs `steps` (a generator whose every `next()` is a small piece of work)
 * in slices of about `sliceMs`, yielding to the event loop between them.
 * An abort of `signal` ends it between two slices: the generator is closed
 * (its `finally` blocks run) and the outcome says it stopped.
 */
export async function runInSlices<R>(steps: Generator<void, R, void>, signal?: AbortSignal, sliceMs = SLICE_MS): Promise<SlicedOutcome<R>> {
  for (;;) {
    const sliceEndMs = performance.now() + sliceMs;
    for (;;) {
      const step = steps.next();
      if (step.done === true) return { stopped: false, value: step.value };
      if (performance.now() >= sliceEndMs) break;
    }
    await yieldToEvents();
    if (signal?.aborted === true) {
      steps.return(undefined as R);
      return { stopped: true };
    }
  }
}
