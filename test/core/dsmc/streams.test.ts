import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_KEPT_MESSAGES, MAX_KEPT_PER_CODE, MAX_LINE_CHARS, MessageAssembler, MessageTally, classifyLine, isPromptPartial, type DsmcMessage, type LineClass } from '../../../src/core/dsmc/index.js';

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

  it.each([
    ['\\r\\n split between chunks', ['one\r', '\ntwo\r\n'], ['one', 'two']],
    ['a newline alone', ['a', '\n', '\n', 'b\n'], ['a', '', 'b']],
    ['many lines in one chunk', ['x\ny\r\nz\n'], ['x', 'y', 'z']],
    ['a chunk that is only the end of a line', ['par', 'tial', '\n'], ['partial']],
  ])('splits %s', (_name, chunks, expected) => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (const chunk of chunks) s.push(chunk);
    s.end();
    expect(lines).toEqual(expected);
  });

  it('fault 14: 100 MB without a newline keeps at most the cap, hands out no more, and counts what it dropped', () => {
    const lines: string[] = [];
    let partials = 0;
    let longestPartial = 0;
    const s = new LineSplitter((l) => lines.push(l), (p) => {
      partials++;
      longestPartial = Math.max(longestPartial, p.length);
    });
    const chunk = 'y'.repeat(64 * 1024);
    const chunks = (100 * 1024 * 1024) / chunk.length;
    for (let i = 0; i < chunks; i++) {
      s.push(chunk);
      expect(s.pendingChars).toBeLessThanOrEqual(MAX_LINE_CHARS);
      expect(longestPartial).toBeLessThanOrEqual(MAX_LINE_CHARS);
    }
    expect(s.pendingChars).toBe(MAX_LINE_CHARS);
    // the tail grows only while under the cap: one partial per chunk until then
    expect(partials).toBe(MAX_LINE_CHARS / chunk.length);
    expect(longestPartial).toBe(MAX_LINE_CHARS);
    s.push('\nANS1092W No files matching search criteria were found\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveLength(MAX_LINE_CHARS);
    expect(lines[1]).toBe('ANS1092W No files matching search criteria were found');
    expect(s.truncatedLines).toBe(1);
    expect(s.droppedChars).toBe(100 * 1024 * 1024 - MAX_LINE_CHARS);
  });

  it('fault 14: a cap splits nothing wrongly: a cut line across chunks, then normal ones', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), () => {}, 8);
    s.push('0123');
    s.push('456789ab\r\ncd');
    s.push('\nefghijklmn');
    s.end();
    expect(lines).toEqual(['01234567', 'cd', 'efghijkl']);
    expect(s.truncatedLines).toBe(2);
    expect(s.droppedChars).toBe('89ab\r'.length + 'mn'.length);
  });

  it('fault 14: the prompt is still seen without a newline after a long partial line', () => {
    let prompted = false;
    const s = new LineSplitter(() => {}, (p) => {
      if (isPromptPartial(p)) prompted = true;
    });
    const chunk = `Action [${'z'.repeat(64 * 1024)}`;
    for (let i = 0; i < 50; i++) s.push(chunk); // a long line that is no prompt, cut at the cap
    expect(prompted).toBe(false);
    s.push('\n--- User Action is Required ---\nFile exists\nAction [1,2,3,4,A] : ');
    expect(prompted).toBe(true);
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

  it('never joins a message or a prompt onto a message with an odd quote (a localized apostrophe)', () => {
    const out: Array<[string, LineClass['kind']]> = [];
    const a = new MessageAssembler((line, cls) => out.push([line, cls.kind]));
    a.push("ANS9999E Erreur à l'envoi");
    a.push("ANS1345E No objects on the server match '/pool/out/00A1'");
    a.push("ANS9999E Erreur à l'envoi");
    a.push('--- User Action is Required ---');
    a.flush();
    expect(out).toEqual([
      ["ANS9999E Erreur à l'envoi", 'message'],
      ["ANS1345E No objects on the server match '/pool/out/00A1'", 'message'],
      ["ANS9999E Erreur à l'envoi", 'message'],
      ['--- User Action is Required ---', 'prompt'],
    ]);
  });
});

function message(line: string): DsmcMessage {
  const cls = classifyLine(line);
  if (cls.kind !== 'message') throw new Error(`not a message: ${line}`);
  return cls.message;
}

describe('MessageTally', () => {
  it('fault 17: counts every message by code, keeps the first of each code, and counts the rest as dropped', () => {
    const tally = new MessageTally();
    for (let i = 0; i < 10_000; i++) tally.add(message(`ANS1228E Sending of object '/x/${i}' failed.`));
    tally.add(message('ANS1092W No files matching search criteria were found'));
    expect(tally.messages).toHaveLength(MAX_KEPT_PER_CODE + 1);
    expect(tally.messages[0]?.quotedPath).toBe('/x/0');
    expect(tally.messages.at(-1)?.code).toBe('ANS1092W');
    expect(new Map(tally.messageCounts)).toEqual(new Map([['ANS1228E', 10_000], ['ANS1092W', 1]]));
    expect(tally.droppedMessages).toBe(10_000 - MAX_KEPT_PER_CODE);
  });

  it('fault 17: keeps at most MAX_KEPT_MESSAGES however many codes there are', () => {
    const tally = new MessageTally();
    for (let code = 0; code < 2000; code++) tally.add(message(`ANS${String(code).padStart(4, '0')}E text`));
    expect(tally.messages).toHaveLength(MAX_KEPT_MESSAGES);
    expect(tally.droppedMessages).toBe(2000 - MAX_KEPT_MESSAGES);
    expect(tally.messageCounts.size).toBe(2000);
  });

  it('counts the messages keepMessage refuses without keeping or dropping them', () => {
    const tally = new MessageTally((m) => m.severity !== 'I');
    tally.add(message('ANS1898I ***** Processed 500 files *****'));
    tally.add(message('ANS1228E Sending failed.'));
    expect(tally.messages.map((m) => m.code)).toEqual(['ANS1228E']);
    expect(tally.messageCounts.get('ANS1898I')).toBe(1);
    expect(tally.droppedMessages).toBe(0);
  });
});
