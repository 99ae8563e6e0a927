// Pure text of everything the fake prints, shaped after dsmc-facts.md. Each function
// returns lines (without newlines) so callers decide where they go.
import type { DisplayOptions } from './format-date.js';
import { formatDate, formatDateTime } from './format-date.js';
import { formatBytes, formatDuration, formatNumber, formatQuerySize } from './format-number.js';

export interface BannerInfo {
  nowMs: number;
  nodeName: string;
  serverName: string;
  asNode?: string;
  display: DisplayOptions;
}

/** The session header every batch invocation starts with (dsmc-facts §1.1, 8.1.25 shape). */
export function formatBanner(info: BannerInfo): string[] {
  const stamp = formatDateTime(info.nowMs, info.display);
  const year = new Date(info.nowMs).getFullYear();
  const lines = [
    'IBM Storage Protect',
    'Command Line Backup-Archive Client Interface',
    '  Client Version 8, Release 1, Level 25.0 ',
    `  Client date/time: ${stamp}`,
    `(c) Copyright IBM Corp. 1990, ${year}. All Rights Reserved. `,
    '',
    `Node Name: ${info.nodeName}`,
    `Session established with server ${info.serverName}: Linux/x86_64`,
    '  Server Version 8, Release 1, Level 21.000',
    `  Server date/time: ${stamp}  Last access: ${stamp}`,
    '',
  ];
  if (info.asNode !== undefined) lines.push(`Accessing as node: ${info.asNode}`);
  return lines;
}

/** `Normal File-->` + 18-character right-aligned size + path + `[Sent]` (dsmc-facts §2.1). */
export function formatArchiveLine(path: string, sizeBytes: number, numberFormat: number): string {
  return `Normal File--> ${formatNumber(sizeBytes, numberFormat).padStart(17)} ${path} [Sent]`;
}

/** Restore's `Restoring <size> <src> --> <dest> [Done]` with the retrieve verb (dsmc-facts §3.1). */
export function formatRetrieveLine(source: string, dest: string, sizeBytes: number, numberFormat: number): string {
  return `Retrieving ${formatNumber(sizeBytes, numberFormat).padStart(10)} ${source} --> ${dest} [Done]`;
}

/** Delete archive prints no verified per-object line; this mirrors the retrieve shape [I]. */
export function formatDeleteLine(path: string, sizeBytes: number, numberFormat: number): string {
  return `Deleting   ${formatNumber(sizeBytes, numberFormat).padStart(10)} ${path} [Done]`;
}

/** `ANS1898I ***** Processed       500 files *****` progress line. */
export function formatProgressLine(filesDone: number, numberFormat: number): string {
  return `ANS1898I ***** Processed ${formatNumber(filesDone, numberFormat).padStart(9)} files *****`;
}

// Summary values end at column 47 as in the client 8.1.x backup summary; parsers split
// at the first colon, so the column only matters for looks.
const SUMMARY_VALUE_END = 47;

/** One `Label:    value[suffix]` summary line. */
export function formatSummaryLine(label: string, value: string, suffix = ''): string {
  const head = `${label}:`;
  const width = Math.max(value.length + 1, SUMMARY_VALUE_END - head.length);
  return `${head}${value.padStart(width)}${suffix}`;
}

function bytesLine(label: string, sizeBytes: number, numberFormat: number): string {
  const { value, unit } = formatBytes(sizeBytes, numberFormat);
  return formatSummaryLine(label, value, ` ${unit.padStart(2)}`);
}

function rateLine(label: string, sizeBytes: number, durationMs: number, numberFormat: number): string {
  const kbPerSec = durationMs > 0 ? sizeBytes / 1024 / (durationMs / 1000) : 0;
  return formatSummaryLine(label, formatNumber(kbPerSec, numberFormat, 2), ' KB/sec');
}

export interface TransferStats {
  objects: number;
  failed: number;
  sizeBytes: number;
  transferMs: number;
  elapsedMs: number;
}

function countLine(label: string, count: number, numberFormat: number): string {
  return formatSummaryLine(label, formatNumber(count, numberFormat));
}

function transferTail(stats: TransferStats, numberFormat: number): string[] {
  return [
    formatSummaryLine('Data transfer time', formatNumber(stats.transferMs / 1000, numberFormat, 2), ' sec'),
    rateLine('Network data transfer rate', stats.sizeBytes, stats.transferMs, numberFormat),
    rateLine('Aggregate data transfer rate', stats.sizeBytes, stats.elapsedMs, numberFormat),
  ];
}

/** Archive summary: the backup labels with `archived` (dsmc-facts §2.2, label [I]). */
export function formatArchiveSummary(stats: TransferStats & { inspected: number; inspectedBytes: number }, numberFormat: number): string[] {
  const count = (label: string, value: number): string => countLine(label, value, numberFormat);
  return [
    '',
    count('Total number of objects inspected', stats.inspected),
    count('Total number of objects archived', stats.objects),
    count('Total number of objects updated', 0),
    count('Total number of objects rebound', 0),
    count('Total number of objects deleted', 0),
    count('Total number of objects expired', 0),
    count('Total number of objects failed', stats.failed),
    count('Total number of objects encrypted', 0),
    count('Total number of objects grew', 0),
    count('Total number of retries', 0),
    bytesLine('Total number of bytes inspected', stats.inspectedBytes, numberFormat),
    bytesLine('Total number of bytes transferred', stats.sizeBytes, numberFormat),
    ...transferTail(stats, numberFormat),
    formatSummaryLine('Objects compressed by', '0', '%'),
    formatSummaryLine('Total data reduction ratio', formatNumber(0, numberFormat, 2), '%'),
    formatSummaryLine('Elapsed processing time', formatDuration(stats.elapsedMs)),
  ];
}

/** Retrieve summary: the restore block with `retrieved` (dsmc-facts §3.1, label [I]). */
export function formatRetrieveSummary(stats: TransferStats, numberFormat: number): string[] {
  return [
    'Retrieve processing finished.',
    '',
    countLine('Total number of objects retrieved', stats.objects, numberFormat),
    countLine('Total number of objects failed', stats.failed, numberFormat),
    bytesLine('Total number of bytes transferred', stats.sizeBytes, numberFormat),
    ...transferTail(stats, numberFormat),
    formatSummaryLine('Elapsed processing time', formatDuration(stats.elapsedMs)),
  ];
}

/** Delete summary: the two lines ENDIT quotes as real output (dsmc-facts §4.1). */
export function formatDeleteSummary(deleted: number, failed: number, elapsedMs: number, numberFormat: number): string[] {
  return [
    '',
    countLine('Total number of objects deleted', deleted, numberFormat),
    countLine('Total number of objects failed', failed, numberFormat),
    formatSummaryLine('Elapsed processing time', formatDuration(elapsedMs)),
  ];
}

export const QUERY_HEADER = [
  '             Size  Archive Date - Time    File - Expires on - Description',
  '             ----  -------------------    -------------------------------',
];

export interface QueryEntry {
  path: string;
  sizeBytes: number;
  archivedAtMs: number;
  description: string;
  volume: string;
  volumeId: number;
  position: number;
}

/** Digits of a volume name (`L00002L8` → 2), else a stable hash, for the restore order. */
export function volumeNumber(volume: string): number {
  const digits = /\d+/.exec(volume);
  if (digits) return Number(digits[0]) % 0x1_0000_0000;
  let hash = 0x811c9dc5;
  for (const char of volume) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** `00000000-<volume>-00000000-<position>`: sorts in tape order within a volume. */
export function formatRestoreOrder(volume: string, position: number): string {
  return `00000000-${hex8(volumeNumber(volume))}-00000000-${hex8(position)}`;
}

/** The four lines of one object in `query archive -detail` (dsmc-facts §5.1); the Volume ID is a number, as real dsmc prints it. */
export function formatQueryEntry(entry: QueryEntry, display: DisplayOptions): string[] {
  const { value, unit } = formatQuerySize(entry.sizeBytes, display.numberFormat);
  const stamp = formatDateTime(entry.archivedAtMs, display);
  return [
    `${value.padStart(14)} ${unit.padStart(2)}  ${stamp}    ${entry.path} Never ${entry.description}  RetInit:STARTED  ObjHeld:NO`,
    `         Modified: ${stamp}  Accessed: ${stamp}  Inode changed: ${stamp}`,
    '         Compression Type: None  Encryption Type:        None  Client-deduplicated: NO',
    `  Media Class: Library  Volume ID: ${entry.volumeId}  Restore Order: ${formatRestoreOrder(entry.volume, entry.position)}`,
  ];
}

/** The default archive description, `Archive Date: <date>` (dsmc-facts §2.1). */
export function formatDefaultDescription(nowMs: number, dateFormat: number): string {
  return `Archive Date: ${formatDate(nowMs, dateFormat)}`;
}

/**
 * The "file exists" prompt (dsmc-facts §3.2, verified shape). The caller prints the last
 * element without a newline: dsmc then blocks reading stdin.
 */
export function formatExistsPrompt(destPath: string): string[] {
  return [
    '--- User Action is Required ---',
    `File '${destPath}' exists`,
    '',
    'Select an appropriate action',
    '  1. Replace this object',
    '  2. Replace all objects that already exist',
    '  3. Skip this object',
    '  4. Skip all objects that already exist',
    '  A. Abort this operation',
    'Action [1,2,3,4,A] : ',
  ];
}
