// dsmc archive [-deletefiles] -description=D -filelist=F
import { statSync } from 'node:fs';
import { failEntry, markHandled, rejectEntry, transferFigures } from './command-helpers.js';
import type { ListEntry } from './file-list.js';
import { formatArchiveLine, formatArchiveSummary, formatDefaultDescription } from './format-output.js';
import type { ArchiveInvocation } from './invocation.js';
import { archiveFile } from './library.js';
import type { SessionContext } from './session.js';
import { raiseRc, transferDelay } from './session.js';
import { isErrno } from '../core/errors.js';

// Return codes: a file that is gone is "not processed" (4, IBM's skipped-file class);
// a send failure or a refused path is an error (12).
const RC_SKIPPED = 4;
const RC_ERROR = 12;
/** `sent-not-deleted` without an rc of its own: a warning-class end, as the field report saw. */
const RC_NOT_DELETED = 8;
const BIG_OBJECT_BYTES = 1024 * 1024;

function notFound(ctx: SessionContext, entry: ListEntry): void {
  failEntry(ctx, entry, `ANS4005E Error processing '${entry.path}': file not found`, RC_SKIPPED);
}

function sendFailed(ctx: SessionContext, entry: ListEntry): void {
  failEntry(ctx, entry, `ANS1228E Sending of object '${entry.path}' failed.`, RC_ERROR);
}

/**
 * `sent-not-deleted`: the object is stored and `[Sent]` printed, but the file
 * stays (a read-only mount, no permission): dsmc's ANS4007E names it.
 */
function keepsSentFiles(ctx: SessionContext): boolean {
  return ctx.plan.action === 'sent-not-deleted' && (ctx.invocation as ArchiveInvocation).deleteFiles;
}

function notDeleted(ctx: SessionContext, entry: ListEntry): void {
  ctx.out.message(`ANS4007E Error processing '${entry.path}': access to the object is denied`);
  raiseRc(ctx.progress, ctx.scenario.rules[ctx.plan.ruleIndex ?? -1]?.rc ?? RC_NOT_DELETED);
}

function sourceSize(path: string): number | 'missing' | 'not-a-file' {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : 'not-a-file';
  } catch {
    return 'missing';
  }
}

async function archiveEntry(ctx: SessionContext, entry: ListEntry, description: string): Promise<void> {
  const invocation = ctx.invocation as ArchiveInvocation;
  if (!entry.valid) return rejectEntry(ctx, entry);
  if (ctx.scenario.failIds.has(entry.id)) return sendFailed(ctx, entry);
  const size = sourceSize(entry.path);
  if (size === 'missing') return notFound(ctx, entry);
  if (size === 'not-a-file') return sendFailed(ctx, entry);
  ctx.progress.inspected += 1;
  ctx.progress.inspectedBytes += size;
  if (size >= BIG_OBJECT_BYTES) ctx.out.flush(); // show progress before a long copy
  const startedMs = Date.now();
  await transferDelay(ctx, size);
  let object;
  try {
    object = archiveFile(ctx.libraryDir, {
      source: entry.path,
      description,
      archivedAtMs: Date.now(),
      deleteFiles: invocation.deleteFiles && !keepsSentFiles(ctx),
      policy: ctx.scenario,
    });
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return notFound(ctx, entry);
    return sendFailed(ctx, entry);
  }
  ctx.progress.transferMs += Date.now() - startedMs;
  ctx.progress.transferredBytes += object.sizeBytes;
  ctx.progress.done.push(entry.id);
  ctx.out.line(formatArchiveLine(entry.path, object.sizeBytes, invocation.display.numberFormat));
  if (keepsSentFiles(ctx)) notDeleted(ctx, entry);
}

export async function runArchive(ctx: SessionContext): Promise<void> {
  const invocation = ctx.invocation as ArchiveInvocation;
  const description = invocation.description ?? formatDefaultDescription(ctx.startMs, invocation.display.dateFormat);
  for (const entry of ctx.entries) {
    await ctx.gate.checkpoint(ctx.progress.handled, entry.path);
    await archiveEntry(ctx, entry, description);
    markHandled(ctx);
  }
  await ctx.gate.checkpoint(ctx.progress.handled, ctx.entries.at(-1)?.path ?? '/', true);
}

export function summarizeArchive(ctx: SessionContext): string[] {
  const { progress } = ctx;
  return formatArchiveSummary(
    { inspected: progress.inspected, inspectedBytes: progress.inspectedBytes, ...transferFigures(ctx) },
    ctx.invocation.display.numberFormat,
  );
}
