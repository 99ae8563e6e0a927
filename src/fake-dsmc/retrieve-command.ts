// dsmc retrieve -replace=no -followsymbolic=yes -filelist=F DESTDIR/
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredObject } from './catalog.js';
import { indexByPath } from './catalog.js';
import { failEntry, markHandled, noObjectMessage, rejectEntry, transferFigures } from './command-helpers.js';
import type { CopyResult } from './data-copy.js';
import { copyObjectData, planWrongSize } from './data-copy.js';
import type { ListEntry } from './file-list.js';
import { formatRetrieveLine, formatRetrieveSummary } from './format-output.js';
import type { RetrieveInvocation } from './invocation.js';
import { dataPath, loadObjects } from './library.js';
import type { SessionContext } from './session.js';
import { promptForever, raiseRc } from './session.js';
import { planTapeOffsets, planTapeRuns } from './tape-plan.js';
import { MOUNT_NOT_POSSIBLE, TapeSession } from './tape-session.js';

// Return codes: an object not on the server is an error (12, as the brief and a field
// report of RC=3072 suggest); an existing file skipped under -replace=no is 4.
const RC_SKIPPED = 4;
const RC_ERROR = 12;
const BIG_OBJECT_BYTES = 1024 * 1024;

function destFor(ctx: SessionContext, entry: ListEntry): string {
  return join((ctx.invocation as RetrieveInvocation).destDir, entry.id);
}

/** The archived objects of each listed path, first archived first (read once per session: only the listed paths). */
function indexListed(ctx: SessionContext): Map<string, StoredObject[]> {
  const paths = new Set(ctx.entries.map((entry) => entry.path));
  return indexByPath(loadObjects(ctx.libraryDir, { paths }));
}

/** The object an entry retrieves: its first archived copy; none for a bad path or a scenario failId. */
function objectFor(ctx: SessionContext, entry: ListEntry, index: Map<string, StoredObject[]>): StoredObject | undefined {
  if (!entry.valid || ctx.scenario.failIds.has(entry.id)) return undefined;
  return index.get(entry.path)?.[0];
}

/**
 * With a scenario library: the list's mounts, volume by volume, on the shared drives.
 * Where a file starts on its tape counts every object on its volume: a second read of
 * the catalog keeps those of the listed volumes.
 */
function startTapeSession(ctx: SessionContext, index: Map<string, StoredObject[]>): TapeSession | null {
  const library = ctx.scenario.library;
  if (library === null) return null;
  const listed = ctx.entries.map((entry) => objectFor(ctx, entry, index));
  const volumes = new Set(listed.flatMap((object) => (object === undefined ? [] : [object.volume])));
  const onVolumes = volumes.size === 0 ? [] : loadObjects(ctx.libraryDir, { volumes });
  return new TapeSession(ctx, library, planTapeRuns(listed, planTapeOffsets(onVolumes, volumes)));
}

/** ANS1312E: the session ends at once, every entry not yet retrieved failed, rc 12. */
function failWithoutMount(ctx: SessionContext): void {
  ctx.out.message(MOUNT_NOT_POSSIBLE);
  ctx.progress.mountError = 'ANS1312E';
  for (const entry of ctx.entries.slice(ctx.progress.handled)) ctx.progress.failed.push(entry.id);
  ctx.progress.handled = ctx.entries.length;
  raiseRc(ctx.progress, RC_ERROR);
}

function skipExisting(ctx: SessionContext, entry: ListEntry, dest: string): void {
  // dsmc's exact words for this case are unknown (dsmc-facts §3.1): plain text, no ANS id
  ctx.out.line(`Skipped '${entry.path}' --> '${dest}': file exists (-replace=no)`);
  ctx.progress.skipped.push(entry.id);
  raiseRc(ctx.progress, RC_SKIPPED);
}

async function copyEntry(ctx: SessionContext, entry: ListEntry, object: StoredObject, dest: string): Promise<CopyResult> {
  const replace = (ctx.invocation as RetrieveInvocation).replace;
  if (replace === 'prompt' && existsSync(dest)) await promptForever(ctx, dest);
  const wrong = ctx.scenario.wrongSizeIds.has(entry.id);
  return copyObjectData({
    sourcePath: object.sparse ? undefined : dataPath(ctx.libraryDir, object.seq),
    destPath: dest,
    targetBytes: wrong ? planWrongSize(object.sizeBytes) : object.sizeBytes,
    exclusive: replace === 'no' || replace === 'prompt',
    bytesPerSecond: ctx.plan.bytesPerSecond,
    beforeSleep: () => ctx.out.flush(),
  });
}

async function retrieveEntry(ctx: SessionContext, entry: ListEntry, index: Map<string, StoredObject[]>): Promise<void> {
  if (!entry.valid) return rejectEntry(ctx, entry);
  const object = objectFor(ctx, entry, index);
  if (object === undefined) return failEntry(ctx, entry, noObjectMessage(entry.path), RC_ERROR);
  const dest = destFor(ctx, entry);
  if (object.sizeBytes >= BIG_OBJECT_BYTES) ctx.out.flush(); // show progress before a long copy
  const startedMs = Date.now();
  const result = await copyEntry(ctx, entry, object, dest);
  if (result === 'exists') return skipExisting(ctx, entry, dest);
  if (result === 'missing') return failEntry(ctx, entry, noObjectMessage(entry.path), RC_ERROR);
  ctx.progress.transferMs += Date.now() - startedMs;
  ctx.progress.transferredBytes += object.sizeBytes;
  ctx.progress.done.push(entry.id);
  ctx.out.line(formatRetrieveLine(entry.path, dest, object.sizeBytes, ctx.invocation.display.numberFormat));
}

/** Retrieves the list in order; with a scenario library, each file when the drive has read it. */
async function retrieveAll(ctx: SessionContext, index: Map<string, StoredObject[]>, tape: TapeSession | null): Promise<void> {
  for (const [entryIndex, entry] of ctx.entries.entries()) {
    await ctx.gate.checkpoint(ctx.progress.handled, destFor(ctx, entry));
    if (tape !== null && !(await tape.beforeEntry(entryIndex))) return failWithoutMount(ctx);
    await retrieveEntry(ctx, entry, index);
    tape?.afterEntry(entryIndex);
    markHandled(ctx);
  }
}

export async function runRetrieve(ctx: SessionContext): Promise<void> {
  const index = indexListed(ctx);
  ctx.out.message('ANS1247I Waiting for files from the server...');
  const tape = startTapeSession(ctx, index);
  try {
    await retrieveAll(ctx, index, tape);
  } finally {
    tape?.release(); // a session stopped early (partial) still lets its drive go
  }
  const last = ctx.entries.at(-1);
  await ctx.gate.checkpoint(ctx.progress.handled, last === undefined ? '/' : destFor(ctx, last), true);
}

export function summarizeRetrieve(ctx: SessionContext): string[] {
  return formatRetrieveSummary(transferFigures(ctx), ctx.invocation.display.numberFormat);
}
