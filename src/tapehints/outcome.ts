import { describeEnd, type DsmcEnd } from '../core/dsmc/index.js';

export type QueryVerdict =
  | { readonly kind: 'ok' }
  /** rc 8 with nothing but ANS1092W: nothing archived yet, a valid empty result. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'failed'; readonly reason: string };

/** Progress and configuration noise that may come with ANS1092W. */
const HARMLESS = new Set(['ANS1898I', 'ANS1278W']);

/**
 * Whether the query's listing can be trusted (SPEC 8), from how dsmc ended and
 * the codes of every message it printed (not only the kept ones). Pure.
 */
export function classifyQueryOutcome(end: DsmcEnd, codes: readonly string[]): QueryVerdict {
  if (end.kind === 'exited' && end.exitCode === 0) return { kind: 'ok' };
  if (end.kind === 'exited' && end.exitCode === 8) {
    const nothingStored = codes.includes('ANS1092W');
    if (nothingStored && codes.every((code) => code === 'ANS1092W' || HARMLESS.has(code))) return { kind: 'empty' };
  }
  return { kind: 'failed', reason: `dsmc query archive ${describeEnd(end)}` };
}
