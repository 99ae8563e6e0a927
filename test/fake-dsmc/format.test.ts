import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from '../../src/fake-dsmc/format-date.js';
import { formatBytes, formatDuration, formatNumber, formatQuerySize } from '../../src/fake-dsmc/format-number.js';
import {
  formatArchiveLine,
  formatArchiveSummary,
  formatBanner,
  formatDeleteSummary,
  formatExistsPrompt,
  formatProgressLine,
  formatQueryEntry,
  formatRestoreOrder,
  formatRetrieveLine,
  formatRetrieveSummary,
  formatSummaryLine,
  QUERY_HEADER,
} from '../../src/fake-dsmc/format-output.js';
import { messageSeverity, planMessageFd } from '../../src/fake-dsmc/output.js';

const ENDIT_DISPLAY = { dateFormat: 3, timeFormat: 1, numberFormat: 1 };

describe('formatNumber', () => {
  it.each([
    [0, 1, 0, '0'],
    [999, 1, 0, '999'],
    [1000, 1, 0, '1,000'],
    [1234567, 1, 0, '1,234,567'],
    [1000, 1, 2, '1,000.00'],
    [1000, 2, 2, '1,000,00'],
    [1000, 3, 2, '1 000,00'],
    [1000, 4, 2, '1 000.00'],
    [1000, 5, 2, '1.000,00'],
    [1000, 6, 2, "1'000,00"],
    [1000, 0, 2, '1,000.00'],
    [-1234.5, 1, 1, '-1,234.5'],
  ])('%d with numberformat %d, %d decimals → %s', (value, numberFormat, decimals, expected) => {
    expect(formatNumber(value, numberFormat, decimals)).toBe(expected);
  });
});

describe('formatBytes / formatQuerySize / formatDuration', () => {
  it('scales summary amounts like dsmc', () => {
    expect(formatBytes(0)).toEqual({ value: '0', unit: 'B' });
    expect(formatBytes(1023)).toEqual({ value: '1,023', unit: 'B' });
    expect(formatBytes(453_243)).toEqual({ value: '442.62', unit: 'KB' });
    expect(formatBytes(2.37 * 1024 ** 3)).toEqual({ value: '2.37', unit: 'GB' });
    expect(formatBytes(4.51 * 1024 ** 4)).toEqual({ value: '4.51', unit: 'TB' });
  });

  it('keeps bytes in the query column until they no longer fit, then uses KB', () => {
    expect(formatQuerySize(72_191)).toEqual({ value: '72,191', unit: 'B' });
    expect(formatQuerySize(9_999_999_999)).toEqual({ value: '9,999,999,999', unit: 'B' });
    expect(formatQuerySize(10_000_000_000)).toEqual({ value: '9,765,625', unit: 'KB' });
    expect(formatQuerySize(1_244_997_334 * 1024)).toEqual({ value: '1,244,997,334', unit: 'KB' });
  });

  it('prints durations as HH:MM:SS', () => {
    expect(formatDuration(0)).toBe('00:00:00');
    expect(formatDuration(31_900)).toBe('00:00:31');
    expect(formatDuration((2 * 3600 + 3 * 60 + 4) * 1000)).toBe('02:03:04');
  });
});

describe('formatDate / formatTime', () => {
  const afternoon = new Date(2016, 3, 1, 14, 7, 9).getTime();
  const midnight = new Date(2016, 3, 1, 0, 7, 9).getTime();

  it.each([
    [0, '04/01/2016'],
    [1, '04/01/2016'],
    [2, '01-04-2016'],
    [3, '2016-04-01'],
    [4, '01.04.2016'],
    [5, '2016.04.01'],
    [6, '2016/04/01'],
    [7, '01/04/2016'],
  ])('dateformat %d → %s', (dateFormat, expected) => {
    expect(formatDate(afternoon, dateFormat)).toBe(expected);
  });

  it.each([
    [1, '14:07:09', '00:07:09'],
    [2, '14,07,09', '00,07,09'],
    [3, '14.07.09', '00.07.09'],
    [4, '02:07:09 P', '12:07:09 A'],
    [5, 'P 02:07:09', 'A 12:07:09'],
  ])('timeformat %d → %s / %s', (timeFormat, pm, am) => {
    expect(formatTime(afternoon, timeFormat)).toBe(pm);
    expect(formatTime(midnight, timeFormat)).toBe(am);
  });

  it('joins date and time with one space', () => {
    expect(formatDateTime(afternoon, ENDIT_DISPLAY)).toBe('2016-04-01 14:07:09');
  });
});

describe('per-file lines', () => {
  it('matches the verified send line shape (size ends 32 characters after Normal File-->)', () => {
    expect(formatArchiveLine('/var/log/wtmp', 144_000, 1)).toBe('Normal File-->           144,000 /var/log/wtmp [Sent]');
  });

  it('prints retrieve lines in the restore shape', () => {
    expect(formatRetrieveLine('/p/out/A1', '/p/in/A1', 1_200_227, 1)).toBe('Retrieving  1,200,227 /p/out/A1 --> /p/in/A1 [Done]');
    expect(formatRetrieveLine('/p/out/A1', '/p/in/A1', 19, 1)).toMatch(/^Retrieving +19 \/p\/out\/A1 --> \/p\/in\/A1 \[Done\]$/);
  });

  it('prints the ANS1898I progress line', () => {
    expect(formatProgressLine(500, 1)).toBe('ANS1898I ***** Processed       500 files *****');
    expect(formatProgressLine(1000, 1)).toBe('ANS1898I ***** Processed     1,000 files *****');
  });
});

describe('summaries', () => {
  it('aligns values like the client 8.1.x summary (BONN sample)', () => {
    expect(formatSummaryLine('Total number of objects inspected', '5')).toBe('Total number of objects inspected:            5');
    expect(formatSummaryLine('Elapsed processing time', '00:00:01')).toBe('Elapsed processing time:               00:00:01');
    expect(formatSummaryLine('Objects compressed by', '0', '%')).toBe('Objects compressed by:                        0%');
    expect(formatSummaryLine('Total data reduction ratio', '100.00', '%')).toBe('Total data reduction ratio:              100.00%');
  });

  it('prints byte amounts with their unit', () => {
    const lines = formatArchiveSummary({ inspected: 5, inspectedBytes: 11.69 * 1024 ** 3, objects: 0, failed: 0, sizeBytes: 0, transferMs: 0, elapsedMs: 1000 }, 1);
    expect(lines).toContain('Total number of bytes inspected:          11.69 GB');
    expect(lines).toContain('Total number of bytes transferred:            0  B');
    expect(lines).toContain('Data transfer time:                        0.00 sec');
    expect(lines).toContain('Network data transfer rate:                0.00 KB/sec');
    expect(lines).toContain('Total number of objects archived:             0');
  });

  it('every summary line splits at the first colon into a label and a value', () => {
    const all = [
      ...formatRetrieveSummary({ objects: 6491, failed: 0, sizeBytes: 2.37 * 1024 ** 3, transferMs: 9740, elapsedMs: 31_000 }, 1),
      ...formatDeleteSummary(2, 4, 0, 1),
    ].filter((line) => line.includes(':') && !line.startsWith('Elapsed'));
    for (const line of all) expect(line).toMatch(/^[A-Za-z ]+: +[\d,.]+( +[A-Z]*B(\/sec)?| sec)?$/);
    expect(all).toContain('Total number of objects retrieved:        6,491');
    expect(all).toContain('Total number of objects deleted:              2');
    expect(all).toContain('Total number of objects failed:               4');
  });
});

describe('query listing', () => {
  const entry = {
    path: '/grid/pool/out/0000004C9A19B5FA480398AED8A6CD61107D',
    sizeBytes: 72_191,
    archivedAtMs: new Date(2016, 3, 1, 2, 17, 31).getTime(),
    description: 'endit',
    volume: 'L00042L8',
    volumeId: 724216,
    position: 0xcef5a1,
  };

  it('reproduces the verified 8.1.4 entry line', () => {
    const [first] = formatQueryEntry(entry, ENDIT_DISPLAY);
    expect(first).toBe('        72,191  B  2016-04-01 02:17:31    /grid/pool/out/0000004C9A19B5FA480398AED8A6CD61107D Never endit  RetInit:STARTED  ObjHeld:NO');
  });

  it('ends with the Volume ID / Restore Order line, the Volume ID a number as real dsmc prints it, not the label', () => {
    const lines = formatQueryEntry(entry, ENDIT_DISPLAY);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('  Media Class: Library  Volume ID: 724216  Restore Order: 00000000-0000002A-00000000-00CEF5A1');
    expect(lines[1]).toMatch(/^ {9}Modified: 2016-04-01 02:17:31 {2}Accessed: /);
  });

  it('is parsed by ENDIT tapehints regexes', () => {
    const [first = '', , , last = ''] = formatQueryEntry(entry, ENDIT_DISPLAY);
    const match = /^\s*([\d,]+)\s+(\S+)\s+(\d\d\d\d-\d\d-\d\d\s+\d\d:\d\d:\d\d)\s+\/grid\/pool\/out\/(\S+)\s+(\S+)/.exec(first);
    expect(match?.slice(1)).toEqual(['72,191', 'B', '2016-04-01 02:17:31', '0000004C9A19B5FA480398AED8A6CD61107D', 'Never']);
    // tsmtapehints.pl's location regex: digits only, so a label would give no hint
    expect(/Volume\sID:\s+(\d+).*Restore\sOrder:\s+(\S+)/.exec(last)?.slice(1)).toEqual(['724216', '00000000-0000002A-00000000-00CEF5A1']);
  });

  it('has the verified header', () => {
    expect(QUERY_HEADER[0]).toBe('             Size  Archive Date - Time    File - Expires on - Description');
  });

  it('makes restore orders that sort in tape order', () => {
    const orders = [
      formatRestoreOrder('L00002L8', 1),
      formatRestoreOrder('L00001L8', 10),
      formatRestoreOrder('L00001L8', 2),
      formatRestoreOrder('L00001L8', 0x1_0000),
    ];
    expect([...orders].sort()).toEqual([orders[2], orders[1], orders[3], orders[0]]);
    for (const order of orders) expect(order).toMatch(/^[0-9A-F]{8}(-[0-9A-F]{8}){3}$/);
    expect(formatRestoreOrder('TAPE', 1)).toMatch(/^00000000-[0-9A-F]{8}-00000000-00000001$/);
  });
});

describe('banner and prompt', () => {
  it('prints the session header with the chosen date format and proxy node', () => {
    const lines = formatBanner({ nowMs: new Date(2024, 11, 17, 16, 52, 58).getTime(), nodeName: 'POOL', serverName: 'TSM', asNode: 'PROXY', display: ENDIT_DISPLAY });
    expect(lines[0]).toBe('IBM Storage Protect');
    expect(lines).toContain('  Client date/time: 2024-12-17 16:52:58');
    expect(lines).toContain('Node Name: POOL');
    expect(lines).toContain('Session established with server TSM: Linux/x86_64');
    expect(lines.at(-1)).toBe('Accessing as node: PROXY');
  });

  it('prompts like dsmc, the last line being the unterminated question', () => {
    const lines = formatExistsPrompt('/p/in/A1');
    expect(lines[0]).toBe('--- User Action is Required ---');
    expect(lines[1]).toBe("File '/p/in/A1' exists");
    expect(lines.at(-1)).toBe('Action [1,2,3,4,A] : ');
    expect(lines.at(-1)).toMatch(/^Action\s+\[.*\]\s+:/);
  });
});

describe('message routing', () => {
  it('reads the severity letter and routes only I messages to stdout by default', () => {
    expect(messageSeverity('ANS1345E No objects')).toBe('E');
    expect(messageSeverity('Normal File-->')).toBeUndefined();
    expect(planMessageFd('ANS1247I Waiting for files from the server...', 'stderr')).toBe(1);
    expect(planMessageFd('ANS1092W No files matching search criteria were found', 'stderr')).toBe(2);
    expect(planMessageFd('ANS1092W No files matching search criteria were found', 'stdout')).toBe(1);
  });
});
