// dsmc query archive -filesonly -detail '<dir>/out/*'
import type { StoredObject } from './catalog.js';
import { QUERY_HEADER, formatQueryEntry } from './format-output.js';
import type { QueryInvocation } from './invocation.js';
import { loadObjects } from './library.js';
import { planPathMatcher } from './path-pattern.js';
import type { SessionContext } from './session.js';
import { raiseRc } from './session.js';

/** Matching objects sorted by path, duplicates in archive order. Pure. */
export function planQueryListing(objects: readonly StoredObject[], pattern: string): StoredObject[] {
  const matches = planPathMatcher(pattern);
  return objects.filter((object) => matches(object.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.seq - b.seq));
}

export async function runQuery(ctx: SessionContext): Promise<void> {
  const invocation = ctx.invocation as QueryInvocation;
  const listing = planQueryListing(loadObjects(ctx.libraryDir), invocation.pattern);
  if (listing.length === 0) {
    await ctx.gate.checkpoint(0, invocation.pattern, true);
    ctx.out.message('ANS1092W No files matching search criteria were found');
    raiseRc(ctx.progress, 8); // verified: rc 8 with ANS1092W alone (dsmc-facts §5.2)
    return;
  }
  ctx.out.lines(QUERY_HEADER);
  for (const object of listing) {
    await ctx.gate.checkpoint(ctx.progress.handled, object.path);
    ctx.out.lines(formatQueryEntry(object, invocation.display));
    ctx.progress.done.push(object.id);
    ctx.progress.handled += 1;
  }
  await ctx.gate.checkpoint(ctx.progress.handled, listing.at(-1)?.path ?? '/', true);
}
