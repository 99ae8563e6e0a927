import { describe, expect, it } from 'vitest';
import { decideRequestFate, parseRequestText, type RequestFacts } from '../../src/retriever/request-parse.js';

/** What the dCache plugin writes for a recall (SPEC 2). */
const recall = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ file_size: 1234, parent_pid: 4242, time: 1700000000, storage_class: 'atlas:tape@osm', action: 'recall', path: '/pnfs/x/y', ...over });

describe('parseRequestText', () => {
  it.each([
    { what: 'a recall', text: recall(), expected: { kind: 'recall', fileSizeBytes: 1234, parentPid: 4242 } },
    { what: 'numbers written as strings', text: recall({ file_size: '1234', parent_pid: '4242' }), expected: { kind: 'recall', fileSizeBytes: 1234, parentPid: 4242 } },
    { what: 'no parent_pid (nothing to check)', text: recall({ parent_pid: undefined }), expected: { kind: 'recall', fileSizeBytes: 1234, parentPid: null } },
    { what: 'an empty file', text: '', expected: { kind: 'invalid', maybePartial: true } },
    { what: 'white space only', text: ' \n', expected: { kind: 'invalid', maybePartial: true } },
    { what: 'JSON cut off mid-write', text: recall().slice(0, 30), expected: { kind: 'invalid', maybePartial: true } },
    { what: 'garbage', text: 'this is not json', expected: { kind: 'invalid', maybePartial: true } },
    { what: 'a JSON array', text: '[1,2]', expected: { kind: 'invalid', maybePartial: false } },
    { what: 'a JSON string', text: '"recall"', expected: { kind: 'invalid', maybePartial: false } },
    { what: 'a flush request', text: recall({ action: 'migrate', parent_pid: undefined }), expected: { kind: 'other-action', action: 'migrate' } },
    { what: 'no action at all', text: recall({ action: undefined }), expected: { kind: 'other-action', action: '(none)' } },
    { what: 'file_size missing', text: recall({ file_size: undefined }), expected: { kind: 'invalid', maybePartial: false } },
    { what: 'file_size negative', text: recall({ file_size: -1 }), expected: { kind: 'invalid', maybePartial: false } },
    { what: 'file_size fractional', text: recall({ file_size: 1.5 }), expected: { kind: 'invalid', maybePartial: false } },
    { what: 'parent_pid not a pid', text: recall({ parent_pid: 'abc' }), expected: { kind: 'invalid', maybePartial: false } },
    { what: 'parent_pid 0', text: recall({ parent_pid: 0 }), expected: { kind: 'invalid', maybePartial: false } },
  ])('$what', ({ text, expected }) => {
    expect(parseRequestText(text)).toMatchObject(expected);
  });

  it('gives a reason for an invalid request', () => {
    const parsed = parseRequestText('{"action":"recall"}');
    expect(parsed.kind === 'invalid' && parsed.reason).toMatch(/file_size/);
  });
});

describe('decideRequestFate (SPEC 6.3)', () => {
  const alive: RequestFacts = { parentAlive: true, inSizeBytes: null };
  it.each([
    { what: 'a live recall waits for a session', text: recall(), facts: alive, fate: 'pending' },
    { what: 'not a recall is ignored', text: recall({ action: 'migrate' }), facts: alive, fate: 'ignore' },
    { what: 'garbage is invalid', text: '{', facts: alive, fate: 'invalid' },
    { what: 'a dead parent_pid makes it stale', text: recall(), facts: { parentAlive: false, inSizeBytes: null }, fate: 'stale' },
    { what: 'no parent_pid is never stale', text: recall({ parent_pid: undefined }), facts: { parentAlive: null, inSizeBytes: null }, fate: 'pending' },
    { what: 'in/ with exactly file_size bytes is complete', text: recall(), facts: { parentAlive: true, inSizeBytes: 1234 }, fate: 'complete' },
    { what: 'in/ with another size still waits (a broken attempt)', text: recall(), facts: { parentAlive: true, inSizeBytes: 1000 }, fate: 'pending' },
    { what: 'an empty in/ file completes a zero-byte recall', text: recall({ file_size: 0 }), facts: { parentAlive: true, inSizeBytes: 0 }, fate: 'complete' },
    { what: 'stale wins over complete (both remove the request)', text: recall(), facts: { parentAlive: false, inSizeBytes: 1234 }, fate: 'stale' },
  ])('$what', ({ text, facts, fate }) => {
    expect(decideRequestFate(parseRequestText(text), facts)).toBe(fate);
  });
});
