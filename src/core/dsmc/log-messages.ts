import type { Logger } from '../log/index.js';
import type { DsmcMessage } from './classify-line.js';

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
