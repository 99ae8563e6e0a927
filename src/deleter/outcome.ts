import type { DsmcEnd, DsmcMessage } from '../core/dsmc/index.js';

/** What one dsmc message says about a delete session (SPEC 7.3). */
export type DeleteMessageClass =
  /** ANS1278W (a redundant virtual mount point), ANS1898I (progress). */
  | { readonly kind: 'harmless' }
  /** ANS1302E: nothing in the list exists on the server, so all are gone. */
  | { readonly kind: 'all-gone' }
  /** ANS1345E for a quoted path: that object is not on the server (already deleted: a success). */
  | { readonly kind: 'gone'; readonly id: string }
  /** Anything else: ids not confirmed stay queued. */
  | { readonly kind: 'failure' };

const HARMLESS = new Set(['ANS1278W', 'ANS1898I']);

/** The id of `<dir>/out/<id>`: the last path component. */
export function idOfPath(objectPath: string): string {
  return objectPath.slice(objectPath.lastIndexOf('/') + 1);
}

/** Classifies by the message code and the quoted path, never by the (localized) text. */
export function classifyDeleteMessage(message: DsmcMessage): DeleteMessageClass {
  if (HARMLESS.has(message.code)) return { kind: 'harmless' };
  if (message.code === 'ANS1302E') return { kind: 'all-gone' };
  if (message.code === 'ANS1345E' && message.quotedPath !== undefined) {
    const id = idOfPath(message.quotedPath);
    if (id !== '') return { kind: 'gone', id };
  }
  return { kind: 'failure' };
}

/** What the messages of one session said, gathered as they come (a million-id list prints a million lines). */
export interface DeleteTally {
  allGone: boolean;
  /** Ids of the list confirmed gone by ANS1345E (each counted once). */
  gone: number;
  /** ANS1345E naming a path that is not in the list. */
  strayGone: number;
  harmless: number;
  failures: number;
  /** The first few failure messages, for the log. */
  readonly failureSamples: DsmcMessage[];
}

export const MAX_FAILURE_SAMPLES = 20;

export function newDeleteTally(): DeleteTally {
  return { allGone: false, gone: 0, strayGone: 0, harmless: 0, failures: 0, failureSamples: [] };
}

/**
 * Marks an id of the list as confirmed gone: 'marked' the first time,
 * 'again' when it already was, 'stray' when the list does not hold it.
 */
export type MarkGone = (id: string) => 'marked' | 'again' | 'stray';

/** Adds one message to the tally; ids confirmed gone are marked through `markGone`. */
export function tallyDeleteMessage(tally: DeleteTally, message: DsmcMessage, markGone: MarkGone): DeleteMessageClass {
  const cls = classifyDeleteMessage(message);
  switch (cls.kind) {
    case 'all-gone':
      tally.allGone = true;
      break;
    case 'gone': {
      const marked = markGone(cls.id);
      if (marked === 'marked') tally.gone++;
      else if (marked === 'stray') tally.strayGone++;
      break;
    }
    case 'failure':
      tally.failures++;
      if (tally.failureSamples.length < MAX_FAILURE_SAMPLES) tally.failureSamples.push(message);
      break;
    case 'harmless':
      tally.harmless++;
      break;
  }
  return cls;
}

export type DeleteVerdict =
  /** Exit code 0: every listed id is deleted. */
  | 'success'
  /** Non-zero, but only harmless messages and confirmations: every id is gone. */
  | 'all-confirmed'
  /** Some ids are not confirmed: they stay queued. */
  | 'failed';

export interface DeleteOutcome {
  readonly verdict: DeleteVerdict;
  /** Ids of the list now gone from tape (deleted or confirmed already gone). */
  readonly deleted: number;
  /** Ids of the list that stay queued. */
  readonly remaining: number;
}

/**
 * The session's verdict from how it ended and its tally (SPEC 7.3). With
 * 'failed', exactly the ids marked gone are gone; otherwise all are. Pure.
 */
export function decideDeleteOutcome(end: DsmcEnd, tally: DeleteTally, listed: number): DeleteOutcome {
  const all = (verdict: DeleteVerdict): DeleteOutcome => ({ verdict, deleted: listed, remaining: 0 });
  if (end.kind === 'exited' && end.exitCode === 0) return all('success');
  if (tally.allGone) return all('all-confirmed');
  // dsmc ran to its end and explained its exit code with nothing but confirmations and
  // harmless messages: everything is gone. A bare non-zero code explains nothing.
  const explained = tally.gone + tally.strayGone + tally.harmless > 0;
  if (end.kind === 'exited' && tally.failures === 0 && explained) return all('all-confirmed');
  return { verdict: 'failed', deleted: tally.gone, remaining: listed - tally.gone };
}

/** decideDeleteOutcome from a list of messages at once (for tests and small sessions); `isGone` tells which ids went. */
export function classifyDeleteOutcome(
  end: DsmcEnd,
  messages: readonly DsmcMessage[],
  listedIds: readonly string[],
): DeleteOutcome & { readonly isGone: (id: string) => boolean } {
  const gone = new Map(listedIds.map((id) => [id, false]));
  const markGone: MarkGone = (id) => {
    const was = gone.get(id);
    if (was === undefined) return 'stray';
    gone.set(id, true);
    return was ? 'again' : 'marked';
  };
  const tally = newDeleteTally();
  for (const message of messages) tallyDeleteMessage(tally, message, markGone);
  const outcome = decideDeleteOutcome(end, tally, gone.size);
  return { ...outcome, isGone: (id) => outcome.verdict !== 'failed' || gone.get(id) === true };
}
