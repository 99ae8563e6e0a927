import { describe, expect, it } from 'vitest';
import { parseSessionHistoryLine, parseSessionHistoryText } from '../../../src/cli/tapemetrics/session-record.js';
import { sessionRecord } from './records.js';

const line = (over: Record<string, unknown> = {}): string => JSON.stringify({ ...sessionRecord(), ...over });

describe('parseSessionHistoryLine', () => {
  it('reads a record as SESSION-HISTORY.md fixes it, and ignores unknown extra fields', () => {
    expect(parseSessionHistoryLine(line())).toEqual({ ok: true, record: sessionRecord() });
    expect(parseSessionHistoryLine(line({ drive: 'd3', mountSec: 12 }))).toEqual({ ok: true, record: sessionRecord() });
    const archiver = { daemon: 'archiver', volume: null, pid: null, rc: null, end: '2025-06-01T12:00:00+02:00' };
    expect(parseSessionHistoryLine(line(archiver))).toEqual({ ok: true, record: sessionRecord(archiver as never) });
  });

  it.each([
    { what: 'not JSON', text: '{"daemon":', reason: 'not JSON' },
    { what: 'not an object', text: '[1,2]', reason: /expected object/ },
    { what: 'a missing field', text: line({ followOn: undefined }), reason: /^followOn: / },
    { what: 'a number as a string', text: line({ bytes: '1000' }), reason: /^bytes: / },
    { what: 'a negative count', text: line({ files: -1 }), reason: /^files: / },
    { what: 'an unknown daemon', text: line({ daemon: 'mover' }), reason: /^daemon: / },
    { what: 'an empty hsm', text: line({ hsm: '' }), reason: /^hsm: / },
    { what: 'a time that is not ISO 8601', text: line({ end: 'June 1, 2025' }), reason: 'end: not an ISO 8601 time' },
    { what: 'an impossible date', text: line({ start: '2025-13-45T00:00:00Z' }), reason: 'start: not an ISO 8601 time' },
  ])('rejects $what, saying which field', ({ text, reason }) => {
    const plan = parseSessionHistoryLine(text);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(reason);
  });
});

describe('parseSessionHistoryText', () => {
  it('counts the bad lines, names the first by number, and skips blank lines', () => {
    const text = [line(), '', 'garbage', line({ volume: 'VOL002' }), line({ bytes: -5 }), ''].join('\n');
    const parsed = parseSessionHistoryText(text);
    expect(parsed.records.map((r) => r.volume)).toEqual(['VOL001', 'VOL002']);
    expect(parsed.badLines).toBe(2);
    expect(parsed.firstBad).toEqual({ lineNumber: 3, reason: 'not JSON' });
  });

  it('leaves out without a complaint a last line still being written, but keeps one that is whole', () => {
    const partial = parseSessionHistoryText(`${line()}\n${line().slice(0, 40)}`);
    expect(partial).toEqual({ records: [sessionRecord()], badLines: 0, firstBad: null });
    const whole = parseSessionHistoryText(`${line()}\n${line({ volume: 'VOL009' })}`);
    expect(whole.records.map((r) => r.volume)).toEqual(['VOL001', 'VOL009']);
  });

  it('reads an empty file as no records', () => {
    expect(parseSessionHistoryText('')).toEqual({ records: [], badLines: 0, firstBad: null });
  });
});
