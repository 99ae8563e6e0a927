import { describe, expect, it } from 'vitest';
import { parseListedSize, parseQueryTranscript, QueryListingParser } from '../../src/tapehints/listing-parser.js';
import { classifyQueryOutcome } from '../../src/tapehints/outcome.js';

const OUT = '/grid/pool/out';
const A = '0000004C9A19B5FA480398AED8A6CD61107D';
const B = '00000A1B2C3D4E5F60718293A4B5C6D7E8F9';
const C = '0000FFFF0000111122223333444455556666';

/** Client 8.1.4, -dateformat=3 -timeformat=1, proxy node: ENDIT's own sample (dsmc-facts §1.1, §5.1). */
const BANNER_814 = `IBM Spectrum Protect
Command Line Backup-Archive Client Interface
  Client Version 8, Release 1, Level 4.1 
  Client date/time: 2018-06-01 15:39:04
(c) Copyright by IBM Corporation and other(s) 1990, 2018. All Rights Reserved. 

Node Name: NODENAME
Session established with server SERVERNAME: Linux/x86_64
  Server Version 8, Release 1, Level 5.000
  Server date/time: 2018-06-01 15:39:04  Last access: 2018-06-01 15:37:56

Accessing as node: ASNODENAME
`;

/** Client 8.1.25: new product name and copyright line. */
const BANNER_8125 = `IBM Storage Protect
Command Line Backup-Archive Client Interface
  Client Version 8, Release 1, Level 25.0 
  Client date/time: 2024-12-17 16:52:58
(c) Copyright IBM Corp. 1990, 2024. All Rights Reserved. 

Node Name: TESTING_NODE
Session established with server DCO1-BACKUP-SERVER-2: Linux/x86_64
  Server Version 8, Release 1, Level 21.000
  Server date/time: 2024-12-17 17:52:58  Last access: 2024-12-17 17:52:50

Accessing as node: PRODUCTION_NODE
`;

/** Client 7.1.4 with default US dates, no proxy line. */
const BANNER_714 = `IBM Tivoli Storage Manager
Command Line Backup-Archive Client Interface
  Client Version 7, Release 1, Level 4.0
  Client date/time: 09/22/2023 10:42:42
(c) Copyright by IBM Corporation and other(s) 1990, 2015. All Rights Reserved.

Node Name: HASTA.SCILIFELAB.SE_CLINICAL
Session established with server BLACKHOLE: Linux/x86_64
  Server Version 8, Release 1, Level 9.300
  Server date/time: 09/22/2023 10:42:42  Last access: 09/22/2023 10:42:26
`;

const HEADER = `             Size  Archive Date - Time    File - Expires on - Description
             ----  -------------------    -------------------------------
`;

function object(size: string, id: string, volume: string, order: string, opts: { date?: string; expiry?: string; description?: string } = {}): string {
  const date = opts.date ?? '2016-04-01 02:17:31';
  return `${size.padStart(17)}  ${date}    ${OUT}/${id} ${opts.expiry ?? 'Never'} ${opts.description ?? 'endit  RetInit:STARTED  ObjHeld:NO'}
         Modified: 2016-04-01 01:52:11  Accessed: 2016-04-01 01:05:51  Inode changed: 2016-04-01 01:59:24
         Compression Type: None  Encryption Type:        None  Client-deduplicated: NO
  Media Class: Library  Volume ID: ${volume}  Restore Order: ${order}
`;
}

describe('parseQueryTranscript', () => {
  it('reads ENDIT’s sample listing (client 8.1.4)', () => {
    const listing = parseQueryTranscript(BANNER_814 + HEADER + object('72,191  B', A, '724216', '00000000-00000002-00000000-00CEF5A1'), OUT);
    expect(listing.hints).toEqual(new Map([[A, { volid: '724216', order: '00000000-00000002-00000000-00CEF5A1', sizeBytes: 72191 }]]));
    expect(listing).toMatchObject({ objects: 1, withoutLocation: 0, foreign: 0, sizeUnknown: 0, expiring: [] });
    expect(listing.duplicates.size).toBe(0);
    expect(listing.messages).toEqual([]);
  });

  it.each([
    ['8.1.25 (IBM Storage Protect)', BANNER_8125, '2024-12-17 16:52:58'],
    ['7.1.4 (IBM Tivoli Storage Manager, US dates)', BANNER_714, '04/07/2019 07:30:15'],
  ])('ignores the banner of client %s', (_name, banner, date) => {
    const text = banner + HEADER + object('1,073,741,824  B', A, 'L00001L8', '00000000-00000001-00000000-00000001', { date }) + object('5  B', B, 'L00002L8', '00000000-00000002-00000000-00000001', { date });
    const listing = parseQueryTranscript(text, OUT);
    expect([...listing.hints]).toEqual([
      [A, { volid: 'L00001L8', order: '00000000-00000001-00000000-00000001', sizeBytes: 1_073_741_824 }],
      [B, { volid: 'L00002L8', order: '00000000-00000002-00000000-00000001', sizeBytes: 5 }],
    ]);
  });

  it('a size in KB (or larger) means size unknown: no size in the hint', () => {
    const listing = parseQueryTranscript(BANNER_8125 + HEADER + object('1,244,997,334 KB', A, '724216', '00000000-00000002-00000000-00CEF5A1'), OUT);
    expect(listing.hints.get(A)).toEqual({ volid: '724216', order: '00000000-00000002-00000000-00CEF5A1' });
    expect(listing.sizeUnknown).toBe(1);
  });

  it('duplicates keep the first entry and are reported, with and without a size mismatch', () => {
    const text =
      BANNER_814 + HEADER +
      object('100  B', A, '11', '00000000-00000001-00000000-00000001') +
      object('100  B', A, '12', '00000000-00000002-00000000-00000001') + // same size
      object('7  B', B, '11', '00000000-00000001-00000000-00000002') +
      object('8  B', B, '13', '00000000-00000003-00000000-00000001') + // different size
      object('7  B', B, '14', '00000000-00000004-00000000-00000001') +
      object('9 KB', C, '11', '00000000-00000001-00000000-00000003') +
      object('9,216  B', C, '15', '00000000-00000005-00000000-00000001'); // one size unknown: no mismatch known
    const listing = parseQueryTranscript(text, OUT);
    expect(listing.hints.get(A)).toEqual({ volid: '11', order: '00000000-00000001-00000000-00000001', sizeBytes: 100 });
    expect(listing.hints.get(B)).toEqual({ volid: '11', order: '00000000-00000001-00000000-00000002', sizeBytes: 7 });
    expect(listing.hints.get(C)).toEqual({ volid: '11', order: '00000000-00000001-00000000-00000003' });
    expect(listing.duplicates).toEqual(
      new Map([
        [A, { copies: 1, sizeMismatch: false }],
        [B, { copies: 2, sizeMismatch: true }],
        [C, { copies: 1, sizeMismatch: false }],
      ]),
    );
    expect(listing.objects).toBe(7);
  });

  it('a message between an object and its volume line (its quoted path wrapped) loses nothing', () => {
    const entry = object('72,191  B', A, '724216', '00000000-00000002-00000000-00CEF5A1').split('\n');
    const text =
      BANNER_814 + HEADER +
      [entry[0], entry[1], 'ANS1898I ***** Processed     1,000 files *****', `ANS4037E Object '${OUT}/${B.slice(0, 12)}`, `${B.slice(12)}' changed during processing.`, 'Object skipped.', entry[2], entry[3]].join('\n') +
      '\n' + object('3  B', C, '724217', '00000000-00000003-00000000-00000001');
    const listing = parseQueryTranscript(text, OUT);
    expect([...listing.hints.keys()]).toEqual([A, C]);
    expect(listing.hints.get(A)?.volid).toBe('724216');
    expect(listing.messages.map((m) => [m.code, m.quotedPath])).toEqual([
      ['ANS1898I', undefined],
      ['ANS4037E', `${OUT}/${B}`],
    ]);
  });

  it('an empty result: only ANS1092W, no hints', () => {
    const listing = parseQueryTranscript(`${BANNER_8125}ANS1092W No files matching search criteria were found\n`, OUT);
    expect(listing.hints.size).toBe(0);
    expect(listing.objects).toBe(0);
    expect(listing.messages.map((m) => m.code)).toEqual(['ANS1092W']);
    expect(classifyQueryOutcome({ kind: 'exited', exitCode: 8 }, listing.messages.map((m) => m.code))).toEqual({ kind: 'empty' });
  });

  it('warns about an expiry other than Never, and skips names that are not <dir>/out/<pnfsid>', () => {
    const text =
      BANNER_814 + HEADER +
      object('1  B', A, '1', '1', { expiry: '2030-01-01', description: 'Archive Date: 2016-04-01' }) +
      object('1  B', 'not-a-pnfsid', '1', '2') +
      object('1  B', `sub/${B}`, '1', '3').replace(`${OUT}/sub/${B}`, `/other/out/${B}`);
    const listing = parseQueryTranscript(text, OUT);
    expect([...listing.hints.keys()]).toEqual([A]);
    expect(listing.expiring).toEqual([{ id: A, expiry: '2030-01-01' }]);
    expect(listing.foreign).toBe(2);
  });

  it('an object without a volume line (not on tape) gets no hint and is counted', () => {
    const noLocation = object('1  B', A, '1', '1').split('\n').slice(0, 3).join('\n');
    const listing = parseQueryTranscript(`${BANNER_814}${HEADER}${noLocation}\n${object('2  B', B, '2', '2')}`, OUT);
    expect([...listing.hints.keys()]).toEqual([B]);
    expect(listing.withoutLocation).toBe(1);
  });

  it('a trailing slash on the out directory changes nothing', () => {
    const parser = new QueryListingParser(`${OUT}/`);
    for (const line of object('5  B', A, '9', '1').split('\n')) parser.push(line);
    expect(parser.finish().hints.get(A)).toEqual({ volid: '9', order: '1', sizeBytes: 5 });
  });
});

describe('parseListedSize', () => {
  it.each([
    ['72,191', 'B', 72191],
    ['0', 'B', 0],
    ['1.073.741.824', 'B', 1073741824], // -numberformat=5
    ["1'000", 'B', 1000],
    ['1,244,997,334', 'KB', undefined],
    ['3', 'MB', undefined],
  ])('%s %s → %s', (digits, unit, expected) => {
    expect(parseListedSize(digits, unit)).toBe(expected);
  });
});

describe('classifyQueryOutcome', () => {
  it.each([
    ['rc 0', { kind: 'exited', exitCode: 0 }, [], 'ok'],
    ['rc 8 with only ANS1092W', { kind: 'exited', exitCode: 8 }, ['ANS1092W'], 'empty'],
    ['rc 8 with ANS1092W and progress', { kind: 'exited', exitCode: 8 }, ['ANS1898I', 'ANS1092W'], 'empty'],
    ['rc 8 without ANS1092W', { kind: 'exited', exitCode: 8 }, [], 'failed'],
    ['rc 8 with ANS1092W and another message', { kind: 'exited', exitCode: 8 }, ['ANS1092W', 'ANS1017E'], 'failed'],
    ['rc 12 with ANS1092W', { kind: 'exited', exitCode: 12 }, ['ANS1092W'], 'failed'],
    ['rc 12', { kind: 'exited', exitCode: 12 }, ['ANS1017E'], 'failed'],
    ['rc 4', { kind: 'exited', exitCode: 4 }, [], 'failed'],
    ['a signal', { kind: 'signaled', signal: 'SIGSEGV' }, [], 'failed'],
    ['a prompt', { kind: 'prompt' }, [], 'failed'],
  ] as const)('%s → %s', (_name, end, messages, kind) => {
    expect(classifyQueryOutcome(end, messages).kind).toBe(kind);
  });

  it('a failure says how dsmc ended', () => {
    expect(classifyQueryOutcome({ kind: 'exited', exitCode: 12 }, [])).toEqual({ kind: 'failed', reason: 'dsmc query archive exited with code 12' });
  });
});
