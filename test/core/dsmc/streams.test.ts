import { describe, expect, it } from 'vitest';
import { LineSplitter, MessageAssembler, type LineClass } from '../../../src/core/dsmc/index.js';

describe('LineSplitter', () => {
  it('emits lines across chunk borders and hands out an unfinished tail', () => {
    const lines: string[] = [];
    const partials: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), (p) => partials.push(p));
    s.push('ab');
    s.push('c\r\nde\nAction [1,2] : ');
    expect(lines).toEqual(['abc', 'de']);
    expect(partials.at(-1)).toBe('Action [1,2] : ');
    s.end();
    expect(lines.at(-1)).toBe('Action [1,2] : ');
  });
});

describe('MessageAssembler', () => {
  it('joins a message whose quoted path wrapped onto the next line', () => {
    const out: Array<[string, LineClass]> = [];
    const a = new MessageAssembler((line, cls) => out.push([line, cls]));
    a.push("ANS1345E No objects on the server match '/pool/out/");
    a.push("00A1B2'");
    a.push('Retrieve processing finished.');
    a.flush();
    expect(out).toHaveLength(2);
    const first = out[0]?.[1];
    expect(first?.kind === 'message' && first.message.quotedPath).toBe('/pool/out/00A1B2');
  });

  it('passes a two-line message with a free second line through as two lines', () => {
    const out: string[] = [];
    const a = new MessageAssembler((line) => out.push(line));
    a.push("ANS4037E Object '/var/log/audit/audit.log' changed during processing.");
    a.push('Object skipped.');
    a.flush();
    expect(out).toEqual(["ANS4037E Object '/var/log/audit/audit.log' changed during processing.", 'Object skipped.']);
  });
});
