// dsmc delete archive -noprompt -filelist=F
import type { StoredObject } from './catalog.js';
import { indexByPath } from './catalog.js';
import { elapsedMs, failEntry, markHandled, noObjectMessage, rejectEntry } from './command-helpers.js';
import type { ListEntry } from './file-list.js';
import { formatDeleteLine, formatDeleteSummary } from './format-output.js';
import { DeletionBatch, loadObjects } from './library.js';
import type { SessionContext } from './session.js';
import { raiseRc } from './session.js';

// Return codes: ANS1345E/ANS1302E are E-severity messages, so 12 by IBM's rule (the
// real value is unknown, dsmc-facts §4.2; ENDIT only needs "non-zero").
const RC_ERROR = 12;

interface DeleteState {
  index: Map<string, StoredObject[]>;
  deletedObjects: number;
  deletions: DeletionBatch;
}

function deleteEntry(ctx: SessionContext, entry: ListEntry, state: DeleteState): void {
  if (!entry.valid) return rejectEntry(ctx, entry);
  const objects = ctx.scenario.failIds.has(entry.id) ? undefined : state.index.get(entry.path);
  if (objects === undefined) return failEntry(ctx, entry, noObjectMessage(entry.path), RC_ERROR);
  for (const object of objects) {
    state.deletions.add(object);
    state.deletedObjects += 1;
    ctx.out.line(formatDeleteLine(object.path, object.sizeBytes, ctx.invocation.display.numberFormat));
  }
  state.index.delete(entry.path); // listed twice: the second time nothing is left
  ctx.progress.done.push(entry.id);
}

function wantedIndex(ctx: SessionContext): Map<string, StoredObject[]> {
  const paths = new Set(ctx.entries.map((entry) => entry.path));
  return indexByPath(loadObjects(ctx.libraryDir, { paths }));
}

export async function runDelete(ctx: SessionContext): Promise<DeleteState> {
  const state: DeleteState = { index: wantedIndex(ctx), deletedObjects: 0, deletions: new DeletionBatch(ctx.libraryDir) };
  ctx.out.setBeforeFlush(() => state.deletions.flush());
  try {
    for (const entry of ctx.entries) {
      await ctx.gate.checkpoint(ctx.progress.handled, entry.path);
      deleteEntry(ctx, entry, state);
      markHandled(ctx);
    }
  } finally {
    state.deletions.flush();
    ctx.out.setBeforeFlush(null);
  }
  await ctx.gate.checkpoint(ctx.progress.handled, ctx.entries.at(-1)?.path ?? '/', true);
  if (ctx.entries.length > 0 && ctx.progress.done.length === 0) {
    ctx.out.message('ANS1302E No objects on server match query');
    raiseRc(ctx.progress, RC_ERROR);
  }
  return state;
}

export function summarizeDelete(ctx: SessionContext, deletedObjects: number): string[] {
  return formatDeleteSummary(deletedObjects, ctx.progress.failed.length, elapsedMs(ctx), ctx.invocation.display.numberFormat);
}
