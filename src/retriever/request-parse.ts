import { errorMessage } from '../core/errors.js';
/** What a request file says, as far as the retriever cares (SPEC 2, 6.3). */
export type RequestParse =
  | { readonly kind: 'recall'; readonly fileSizeBytes: number; readonly parentPid: number | null }
  /** A flush request (`migrate`) or anything else that is not a recall: not ours. */
  | { readonly kind: 'other-action'; readonly action: string }
  /** `maybePartial`: empty or cut-off JSON, possibly caught while dCache writes it. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly maybePartial: boolean };

export type RequestFate = 'pending' | 'stale' | 'complete' | 'ignore' | 'invalid';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer given as a JSON number or a string of digits; undefined otherwise. */
function wholeNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw === 'string' && /^\d{1,16}$/.test(raw.trim())) return Number(raw.trim());
  return undefined;
}

function describeJsonError(error: unknown): string {
  return errorMessage(error).split('\n')[0]?.slice(0, 200) ?? 'parse error';
}

/** Parses the text of `request/<id>`. Pure. */
export function parseRequestText(text: string): RequestParse {
  if (text.trim() === '') return { kind: 'invalid', reason: 'empty file', maybePartial: true };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `not valid JSON (${describeJsonError(error)})`, maybePartial: true };
  }
  if (!isRecord(data)) return { kind: 'invalid', reason: 'not a JSON object', maybePartial: false };
  const action = data['action'];
  if (action !== 'recall') return { kind: 'other-action', action: typeof action === 'string' ? action : '(none)' };
  const fileSizeBytes = wholeNumber(data['file_size']);
  if (fileSizeBytes === undefined) return { kind: 'invalid', reason: 'file_size missing or not a byte count', maybePartial: false };
  const rawPid = data['parent_pid'];
  if (rawPid === undefined || rawPid === null) return { kind: 'recall', fileSizeBytes, parentPid: null };
  const parentPid = wholeNumber(rawPid);
  if (parentPid === undefined || parentPid === 0 || parentPid > 2 ** 31 - 1) return { kind: 'invalid', reason: 'parent_pid is not a process id', maybePartial: false };
  return { kind: 'recall', fileSizeBytes, parentPid };
}

/** What the world says about a parsed request: is its writer alive, what is in in/. */
export interface RequestFacts {
  /** null when the request names no parent_pid (nothing to check). */
  readonly parentAlive: boolean | null;
  /** Size of in/<id>, null when there is no such regular file. */
  readonly inSizeBytes: number | null;
}

/**
 * SPEC 6.3: not a recall → ignore; unreadable → invalid; dead parent_pid →
 * stale (remove it); in/<id> already exactly file_size bytes → complete
 * (remove it); otherwise it waits for a session. Pure.
 */
export function decideRequestFate(parse: RequestParse, facts: RequestFacts): RequestFate {
  if (parse.kind === 'other-action') return 'ignore';
  if (parse.kind === 'invalid') return 'invalid';
  if (parse.parentPid !== null && facts.parentAlive === false) return 'stale';
  if (facts.inSizeBytes !== null && facts.inSizeBytes === parse.fileSizeBytes) return 'complete';
  return 'pending';
}
