// Small pieces the four commands share.
import type { ListEntry } from './file-list.js';
import { formatProgressLine } from './format-output.js';
import type { SessionContext } from './session.js';
import { raiseRc } from './session.js';

const PROGRESS_EVERY = 500;

/** Marks one more entry handled and prints dsmc's ANS1898I every 500 files. */
export function markHandled(ctx: SessionContext): void {
  ctx.progress.handled += 1;
  if (ctx.progress.handled % PROGRESS_EVERY === 0) {
    ctx.out.message(formatProgressLine(ctx.progress.handled, ctx.invocation.display.numberFormat));
  }
}

/** Records a per-file failure with its message and return-code contribution. */
export function failEntry(ctx: SessionContext, entry: ListEntry, message: string, rc: number): void {
  ctx.out.message(message);
  ctx.progress.failed.push(entry.id);
  raiseRc(ctx.progress, rc);
}

/** A path the fake refuses to touch (relative, `..`): dsmc's bad-filespec message, rc 12. */
export function rejectEntry(ctx: SessionContext, entry: ListEntry): void {
  failEntry(ctx, entry, `ANS1081E Invalid search file specification '${entry.path}' entered`, 12);
}

export function noObjectMessage(path: string): string {
  return `ANS1345E No objects on the server match '${path}'`;
}

export function elapsedMs(ctx: SessionContext): number {
  return Date.now() - ctx.startMs;
}

/** What every transfer summary (archive, retrieve) reports of a session. */
export function transferFigures(ctx: SessionContext): { objects: number; failed: number; sizeBytes: number; transferMs: number; elapsedMs: number } {
  const { progress } = ctx;
  return {
    objects: progress.done.length,
    failed: progress.failed.length,
    sizeBytes: progress.transferredBytes,
    transferMs: progress.transferMs,
    elapsedMs: elapsedMs(ctx),
  };
}
