import { describe, expect, it } from 'vitest';
import { classifyLine, isPrompt, lastQuoted } from '../../../src/core/dsmc/index.js';

describe('classifyLine', () => {
  it.each([
    ["ANS1345E No objects on the server match '/pool/out/00A1'", 'ANS1345E', 'E', '/pool/out/00A1'],
    ['ANS1092W No files matching search criteria were found', 'ANS1092W', 'W', undefined],
    ['ANS1898I ***** Processed       500 files *****', 'ANS1898I', 'I', undefined],
    ['ANS1329S Server out of data storage space', 'ANS1329S', 'S', undefined],
    // Localized text: only the code and the quoted path count.
    ["ANS1345E Keine Objekte auf dem Server stimmen mit '/data/x/c,rfDC' überein", 'ANS1345E', 'E', '/data/x/c,rfDC'],
    ['ANE4952I Total number of objects inspected: 3 (SESSION: 1)', 'ANE4952I', 'I', undefined],
  ])('%s', (line, code, severity, quoted) => {
    const cls = classifyLine(line);
    expect(cls.kind).toBe('message');
    if (cls.kind !== 'message') return;
    expect(cls.message.code).toBe(code);
    expect(cls.message.severity).toBe(severity);
    expect(cls.message.quotedPath).toBe(quoted);
  });

  it.each([
    'Normal File-->     1,073,741,824 /pool/out/00001234ABCD [Sent]',
    'Total number of objects inspected:            2',
    'IBM Storage Protect',
    ' ANS1345E indented is not a message',
    'ANS134E too short',
  ])('other: %s', (line) => {
    expect(classifyLine(line).kind).toBe('other');
  });

  it('recognises both forms of the interactive prompt', () => {
    expect(classifyLine('--- User Action is Required ---').kind).toBe('prompt');
    expect(isPrompt('Action [1,2,3,4,A,N,Q] : ')).toBe(true);
    expect(isPrompt('Action  [Y,N] :')).toBe(true);
    expect(isPrompt('Actions taken: none')).toBe(false);
  });

  it('takes the last quoted string', () => {
    expect(lastQuoted("ANS1228E Sending of object '/a/b' failed: 'x/y'")).toBe('x/y');
    expect(lastQuoted('no quotes')).toBeUndefined();
  });
});
