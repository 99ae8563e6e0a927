// The demo's closing summary. Pure.
import type { LibraryObject } from '../../fake-dsmc/library.js';
import { formatBytes, formatFiles } from '../format-units.js';
import { renderTable } from '../format-table.js';
import type { DemoFile } from './demo-plan.js';

export interface DemoSummary {
  readonly flushed: readonly DemoFile[];
  readonly recalled: readonly DemoFile[];
  readonly checksumErrors: number;
  readonly failed: readonly { readonly file: DemoFile; readonly error: string }[];
  /** Removed files no longer in the library. */
  readonly deleted: number;
  readonly removed: number;
  readonly sessions: Readonly<Record<string, number>>;
  readonly recallMounts: readonly (readonly [string, number])[];
  readonly library: readonly LibraryObject[];
}

function total(files: readonly DemoFile[]): number {
  return files.reduce((sum, file) => sum + file.sizeBytes, 0);
}

function volumesOf(objects: readonly LibraryObject[]): number {
  return new Set(objects.map((object) => object.volume)).size;
}

/** Deleted ids: removed ones that the library no longer holds. */
export function countDeleted(removed: readonly DemoFile[], library: readonly LibraryObject[]): number {
  const stored = new Set(library.map((object) => object.id));
  return removed.filter((file) => !stored.has(file.id)).length;
}

export function formatDemoSummary(s: DemoSummary): string {
  const checksums = s.recalled.length === 0 ? '' : s.checksumErrors === 0 ? ' (checksums verified)' : ` (${s.checksumErrors} CHECKSUM ERRORS)`;
  const failed = s.failed.map(({ file, error }) => `${file.id}: ${error}`);
  const sessions = ['archiver', 'retriever', 'deleter', 'tapehints'].map((p) => `${p} ${s.sessions[p] ?? 0}`).join(', ');
  const rows: string[][] = [
    ['flushed to tape', `${formatFiles(s.flushed.length)}, ${formatBytes(total(s.flushed))}`],
    ['recalled', `${formatFiles(s.recalled.length)}, ${formatBytes(total(s.recalled))}${checksums}`],
    ['failed with .err', `${formatFiles(s.failed.length)}`],
    ['deleted from tape', `${formatFiles(s.deleted)} of ${s.removed} removed`],
    ['dsmc sessions', sessions],
    ['recall mounts', s.recallMounts.map(([volume, count]) => `${volume} ${count}`).join(', ') || 'none'],
    ['library now', `${formatFiles(s.library.length, 'object')} on ${formatFiles(volumesOf(s.library), 'volume')}`],
  ];
  const table = renderTable([{ header: 'Summary' }, { header: '' }], rows);
  return `${[...table, ...failed.map((line) => `  .err: ${line}`)].join('\n')}\n`;
}
