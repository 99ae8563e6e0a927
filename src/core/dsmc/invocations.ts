import path from 'node:path';

/** The option lists every invocation is built from (already split on ", "). */
export interface DsmcOptions {
  readonly dsmcopts: readonly string[];
  readonly displayopts: readonly string[];
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time as strftime `%Y-%m-%dT%H:%M:%S%z`, as the Perl archiver named its sessions. */
export function formatDescriptionTime(timeMs: number): string {
  const d = new Date(timeMs);
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

export function archiveArgs(opts: DsmcOptions, description: string, listFile: string): string[] {
  return ['archive', '-deletefiles', ...opts.dsmcopts, `-description=${description}`, `-filelist=${listFile}`];
}

export function retrieveArgs(opts: DsmcOptions, listFile: string, inDir: string): string[] {
  return ['retrieve', '-replace=no', '-followsymbolic=yes', ...opts.displayopts, ...opts.dsmcopts, `-filelist=${listFile}`, `${inDir}${path.sep}`];
}

export function deleteArgs(opts: DsmcOptions, listFile: string): string[] {
  return ['delete', 'archive', '-noprompt', ...opts.displayopts, ...opts.dsmcopts, `-filelist=${listFile}`];
}

export function queryArgs(opts: DsmcOptions, outDir: string): string[] {
  return ['query', 'archive', '-filesonly', '-detail', ...opts.displayopts, ...opts.dsmcopts, `${outDir}${path.sep}*`];
}
