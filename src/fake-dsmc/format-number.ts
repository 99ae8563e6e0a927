// dsmc's -numberformat values: 1 `1,000.00` (also used for 0 = locale), 2 `1,000,00`,
// 3 `1 000,00`, 4 `1 000.00`, 5 `1.000,00`, 6 `1'000,00` (dsmc-facts §1.4).
const SEPARATORS: Record<number, { thousands: string; decimal: string }> = {
  1: { thousands: ',', decimal: '.' },
  2: { thousands: ',', decimal: ',' },
  3: { thousands: ' ', decimal: ',' },
  4: { thousands: ' ', decimal: '.' },
  5: { thousands: '.', decimal: ',' },
  6: { thousands: "'", decimal: ',' },
};

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

function separatorsFor(numberFormat: number): { thousands: string; decimal: string } {
  return SEPARATORS[numberFormat] ?? { thousands: ',', decimal: '.' };
}

/** Formats a number with thousands separators and a fixed number of decimals. */
export function formatNumber(value: number, numberFormat = 1, decimals = 0): string {
  const { thousands, decimal } = separatorsFor(numberFormat);
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
  const sign = value < 0 ? '-' : '';
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}${decimal}${fraction}`;
}

export interface ScaledAmount {
  value: string;
  unit: string;
}

/** Byte amount as summaries print it: `0  B`, `442.62 KB`, `2.37 GB` (1024 steps). */
export function formatBytes(sizeBytes: number, numberFormat = 1): ScaledAmount {
  let scaled = sizeBytes;
  let unitIndex = 0;
  while (scaled >= 1024 && unitIndex < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    unitIndex += 1;
  }
  const unit = BYTE_UNITS[unitIndex] ?? 'B';
  const decimals = unitIndex === 0 ? 0 : 2;
  return { value: formatNumber(scaled, numberFormat, decimals), unit };
}

/**
 * Query-archive size column: the exact byte count while it fits the 14-character
 * field (with a leading space), else KB/MB/... whole numbers, as seen in
 * `1,244,997,334 KB` (dsmc-facts §1.4, §5.1).
 */
export function formatQuerySize(sizeBytes: number, numberFormat = 1): ScaledAmount {
  let scaled = sizeBytes;
  let unitIndex = 0;
  let text = formatNumber(scaled, numberFormat);
  while (text.length > 13 && unitIndex < BYTE_UNITS.length - 1) {
    scaled = Math.floor(scaled / 1024);
    unitIndex += 1;
    text = formatNumber(scaled, numberFormat);
  }
  return { value: text, unit: BYTE_UNITS[unitIndex] ?? 'B' };
}

/** `HH:MM:SS` of a duration, as in `Elapsed processing time:`. */
export function formatDuration(durationMs: number): string {
  const totalSec = Math.max(0, Math.floor(durationMs / 1000));
  const hours = Math.floor(totalSec / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  return [hours, minutes, seconds].map((part) => String(part).padStart(2, '0')).join(':');
}
