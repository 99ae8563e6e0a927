export type Severity = 'I' | 'W' | 'E' | 'S';

export interface DsmcMessage {
  /** e.g. `ANS1345E`. */
  readonly code: string;
  readonly severity: Severity;
  /** The whole line, as printed; a quoted path that wrapped is joined back without a separator. */
  readonly text: string;
  /** The last `'...'` quoted string of the message, usually an object path. */
  readonly quotedPath?: string;
}

export type LineClass =
  | { readonly kind: 'message'; readonly message: DsmcMessage }
  | { readonly kind: 'prompt' }
  | { readonly kind: 'other' };

const MESSAGE = /^(AN[A-Z]\d{4}([A-Z]))\b/;
const ACTION_PROMPT = /^Action\s+\[.*\]\s+:/;
const USER_ACTION = '--- User Action is Required ---';

/** The last `'...'` of a line: where dsmc names the object a message is about. */
export function lastQuoted(text: string): string | undefined {
  const end = text.lastIndexOf("'");
  if (end <= 0) return undefined;
  const start = text.lastIndexOf("'", end - 1);
  if (start < 0) return undefined;
  return text.slice(start + 1, end);
}

/** True when dsmc waits for a human; such a session must be killed at once. */
export function isPrompt(line: string): boolean {
  return line.includes(USER_ACTION) || ACTION_PROMPT.test(line.trimStart());
}

/**
 * Longest unfinished line looked at for a prompt. A prompt line is short; an
 * unfinished line is looked at again with every chunk that extends it, so
 * looking at a long one would cost time quadratic in its length.
 */
const MAX_PROMPT_CHARS = 4096;

/** True when an unfinished line (no newline yet) is a prompt. */
export function isPromptPartial(partial: string): boolean {
  return partial.length <= MAX_PROMPT_CHARS && isPrompt(partial);
}

/**
 * Classifies one line of dsmc output by its message code, never by its
 * (localized) English text.
 */
export function classifyLine(line: string): LineClass {
  if (isPrompt(line)) return { kind: 'prompt' };
  const match = MESSAGE.exec(line);
  if (match === null) return { kind: 'other' };
  const quotedPath = lastQuoted(line);
  return {
    kind: 'message',
    message: {
      code: match[1] as string,
      severity: match[2] as Severity,
      text: line.trimEnd(),
      ...(quotedPath === undefined ? {} : { quotedPath }),
    },
  };
}
