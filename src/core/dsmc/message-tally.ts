import type { DsmcMessage } from './classify-line.js';
import { ownCopy } from './own-copy.js';

/** Messages kept per code; further ones of that code are only counted. */
export const MAX_KEPT_PER_CODE = 20;
/** Messages kept in all, whatever their codes. */
export const MAX_KEPT_MESSAGES = 1000;

/**
 * Counts every message of a session by code and keeps the first few of each
 * code: a flood of a million messages costs a counter, not a million strings.
 */
export class MessageTally {
  private readonly counts = new Map<string, number>();
  private readonly keptPerCode = new Map<string, number>();
  private readonly keptMessages: DsmcMessage[] = [];
  private droppedCount = 0;

  /** `keep` picks which messages are worth keeping at all (default: every one). */
  constructor(private readonly keep: (message: DsmcMessage) => boolean = () => true) {}

  add(message: DsmcMessage): void {
    this.counts.set(message.code, (this.counts.get(message.code) ?? 0) + 1);
    if (!this.keep(message)) return;
    const kept = this.keptPerCode.get(message.code) ?? 0;
    if (kept >= MAX_KEPT_PER_CODE || this.keptMessages.length >= MAX_KEPT_MESSAGES) {
      this.droppedCount++;
      return;
    }
    this.keptPerCode.set(message.code, kept + 1);
    this.keptMessages.push(ownMessage(message));
  }

  /** The kept messages, in the order dsmc printed them. */
  get messages(): readonly DsmcMessage[] {
    return this.keptMessages;
  }

  /** Every message printed, per code, kept or not. */
  get messageCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Messages `keep` accepted that were not kept for the limits. */
  get droppedMessages(): number {
    return this.droppedCount;
  }
}

function ownMessage(message: DsmcMessage): DsmcMessage {
  const text = ownCopy(message.text);
  return message.quotedPath === undefined ? { ...message, text } : { ...message, text, quotedPath: ownCopy(message.quotedPath) };
}
