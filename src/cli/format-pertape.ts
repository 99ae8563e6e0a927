import { renderTable } from './format-table.js';
import { formatBytes, formatDuration } from './format-units.js';
import type { VolumeContent, VolumeQueue } from './per-volume.js';

export type PertapeFormat = 'table' | 'json' | 'ids';

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

function bytesCell(bytes: number, unknownSizeFiles: number): string {
  return unknownSizeFiles > 0 ? `>= ${formatBytes(bytes)}` : formatBytes(bytes);
}

/** `<volume> <id> <id> ...`, one line per volume, ids in tape order. Pure. */
export function formatVolumeIds(volumes: readonly { volume: string; ids: readonly string[] }[]): string {
  return volumes.map((volume) => `${[volume.volume, ...volume.ids].join(' ')}\n`).join('');
}

/** Files and bytes per volume from the hint file. Pure. */
export function formatHintVolumes(volumes: readonly VolumeContent[], format: PertapeFormat, hintFile: string): string {
  const unknown = sum(volumes, (v) => v.unknownSizeFiles);
  const totals = { volumes: volumes.length, files: sum(volumes, (v) => v.files), bytes: sum(volumes, (v) => v.bytes), unknownSizeFiles: unknown };
  if (format === 'ids') return formatVolumeIds(volumes);
  if (format === 'json') {
    const rows = volumes.map(({ volume, files, bytes, unknownSizeFiles }) => ({ volume, files, bytes, unknownSizeFiles }));
    return `${JSON.stringify({ hintFile, volumes: rows, totals }, null, 2)}\n`;
  }
  const rows = volumes.map((v) => [v.volume, String(v.files), bytesCell(v.bytes, v.unknownSizeFiles)]);
  rows.push(['TOTAL', String(totals.files), bytesCell(totals.bytes, unknown)]);
  const note = unknown > 0 ? [`(${unknown} files have no size in the hint file: ">=" marks a lower bound)`] : [];
  const table = renderTable([{ header: 'VOLUME' }, { header: 'FILES', align: 'right' }, { header: 'BYTES', align: 'right' }], rows);
  return `${[`Hint file ${hintFile}: ${totals.files} files on ${totals.volumes} volumes`, '', ...table, ...note].join('\n')}\n`;
}

/** Pending recalls per volume. Pure. */
export function formatVolumeQueues(queues: readonly VolumeQueue[], format: PertapeFormat, nowMs: number, unreadable: number): string {
  const totals = { volumes: queues.length, files: sum(queues, (q) => q.files), bytes: sum(queues, (q) => q.bytes) };
  const ageSec = (q: VolumeQueue): number => Math.max(0, Math.round((nowMs - q.oldestMtimeMs) / 1000));
  if (format === 'ids') return formatVolumeIds(queues);
  if (format === 'json') {
    const rows = queues.map((q) => ({ volume: q.volume, files: q.files, bytes: q.bytes, oldestAgeSec: ageSec(q) }));
    return `${JSON.stringify({ volumes: rows, totals, unreadable }, null, 2)}\n`;
  }
  const rows = queues.map((q) => [q.volume, String(q.files), formatBytes(q.bytes), formatDuration(ageSec(q))]);
  rows.push(['TOTAL', String(totals.files), formatBytes(totals.bytes), '']);
  const columns = [{ header: 'VOLUME' }, { header: 'FILES', align: 'right' as const }, { header: 'BYTES', align: 'right' as const }, { header: 'OLDEST', align: 'right' as const }];
  const note = unreadable > 0 ? [`(${unreadable} request files could not be read: being written or removed)`] : [];
  const head = `Pending recalls: ${totals.files} requests on ${totals.volumes} volumes`;
  return `${[head, '', ...renderTable(columns, rows), ...note].join('\n')}\n`;
}
