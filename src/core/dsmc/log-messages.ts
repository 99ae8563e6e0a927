import type { Logger } from '../log/index.js';
import type { DsmcMessage } from './classify-line.js';
import { MAX_LINE_CHARS } from './line-splitter.js';

/** Most dsmc messages logged per session; the rest are counted in one line. */
export const MAX_LOGGED_MESSAGES = 50;

/**
 * Logs what dsmc said in a session: warnings and errors with code
 * `dsmc_message` (they count in `<daemon>_errors`), informational `ANS….I`
 * messages at info level (they are no fault and raise no alert).
 * `label` names the session, e.g. `dsmc archive (20261204-0001)`.
 */
export function logDsmcMessages(logger: Logger, label: string, messages: readonly DsmcMessage[], limit = MAX_LOGGED_MESSAGES): void {
  const shown = messages.slice(0, limit);
  for (const message of shown) {
    if (message.severity === 'I') logger.info(`${label}: ${message.text}`);
    else logger.warn('dsmc_message', `${label}: ${message.text}`);
  }
  const hidden = messages.slice(limit);
  const hiddenIssues = hidden.filter((message) => message.severity !== 'I').length;
  if (hiddenIssues > 0) logger.warn('dsmc_message', `${label}: ${hiddenIssues} more warnings or errors not shown`);
  if (hidden.length > hiddenIssues) logger.info(`${label}: ${hidden.length - hiddenIssues} more informational messages not shown`);
}

/** What runDsmc reports about the output it did not keep (the optional fields of DsmcOutcome). */
export interface DsmcOutputLimits {
  readonly messageCounts?: ReadonlyMap<string, number>;
  readonly droppedMessages?: number;
  readonly truncatedLines?: number;
  readonly droppedLineChars?: number;
}

/** Codes shown with their counts when messages were dropped; the rest are summed. */
const MAX_COUNTED_CODES = 10;

/**
 * Logs what a session printed beyond what was kept: a flood of messages as
 * counts per code (info: the kept ones are logged by logDsmcMessages), lines
 * too long to keep as a warning `dsmc_output_cut`.
 */
export function logDsmcOutputLimits(logger: Logger, label: string, outcome: DsmcOutputLimits): void {
  const dropped = outcome.droppedMessages ?? 0;
  if (dropped > 0) {
    // Most frequent first, ties by code: stdout and stderr interleave in no fixed order.
    const counts = [...(outcome.messageCounts ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const shown = counts.slice(0, MAX_COUNTED_CODES).map(([code, n]) => `${code} ${n}`);
    if (counts.length > MAX_COUNTED_CODES) shown.push(`${counts.length - MAX_COUNTED_CODES} more codes`);
    logger.info(`${label}: ${total} messages (${shown.join(', ')}); ${dropped} not kept, only the first of each code`);
  }
  const truncated = outcome.truncatedLines ?? 0;
  if (truncated > 0) {
    const lines = truncated === 1 ? '1 line' : `${truncated} lines`;
    logger.warn('dsmc_output_cut', `${label}: ${lines} longer than ${MAX_LINE_CHARS} characters cut (${outcome.droppedLineChars ?? 0} characters dropped)`);
  }
}
