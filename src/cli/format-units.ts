export { formatBytes } from '../core/units.js';

/** `45s`, `3m05s`, `2h10m`, `3d04h`: the two largest units. Pure. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.round(Math.abs(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${sign}${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** `12 files`, `1 file`, `2 flushes`. Pure. */
export function formatFiles(count: number, noun = 'file', plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
