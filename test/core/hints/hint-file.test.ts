import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatHintFile,
  hintFileChunks,
  HintFileError,
  parseHintFile,
  readHintFile,
  resolveHintFilePath,
  sanitizeVolumeName,
  writeHintFile,
  type TapeHint,
} from '../../../src/core/hints/index.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';
const B = '00000A1B2C3D4E5F60718293A4B5C6D7E8F9';

describe('parseHintFile', () => {
  it('reads what the Perl tapehints wrote: one line, numbers as strings', () => {
    const text = `{"${A}":{"volid":"724216","order":"00000000-00000002-00000000-00CEF5A1","size":"72191"},"${B}":{"order":"00000000-00000002-00000000-00CEF5A2","volid":"724216"}}\n`;
    const hints = parseHintFile(text, 'hints.json');
    expect(hints.get(A)).toEqual({ volid: '724216', order: '00000000-00000002-00000000-00CEF5A1', sizeBytes: 72191 });
    // size missing: dsmc listed it in KB or larger, size unknown
    expect(hints.get(B)).toEqual({ volid: '724216', order: '00000000-00000002-00000000-00CEF5A2' });
    expect(hints.get(B)).not.toHaveProperty('sizeBytes');
  });

  it('accepts numbers as numbers and an integer order, pretty-printed', () => {
    const text = JSON.stringify({ [A]: { volid: 724216, order: 17, size: 5 } }, null, 2);
    expect(parseHintFile(text, 'h')).toEqual(new Map([[A, { volid: '724216', order: '17', sizeBytes: 5 }]]));
  });

  it('round-trips what formatHintFile writes', () => {
    const entries: Array<[string, TapeHint]> = [
      [A, { volid: 'L00001L8', order: '00000000-00000001-00000000-00000001', sizeBytes: 0 }],
      [B, { volid: 'VOL "2"', order: '3' }],
    ];
    const text = formatHintFile(entries);
    expect(text.split('\n').length).toBeGreaterThan(3); // one entry per line
    expect(JSON.parse(text)).toEqual({
      [A]: { volid: 'L00001L8', order: '00000000-00000001-00000000-00000001', size: 0 },
      [B]: { volid: 'VOL "2"', order: '3' },
    });
    expect(parseHintFile(text, 'h')).toEqual(new Map(entries));
  });

  it('writes an empty object for no hints', () => {
    expect(formatHintFile([])).toBe('{}\n');
    expect(parseHintFile(formatHintFile([]), 'h').size).toBe(0);
  });

  it.each([
    ['not JSON', '{"a": '],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['null', 'null'],
  ])('rejects a file that is %s, naming the file', (_what, text) => {
    expect(() => parseHintFile(text, '/etc/hints.json')).toThrow(HintFileError);
    expect(() => parseHintFile(text, '/etc/hints.json')).toThrow(/\/etc\/hints\.json/);
  });

  it('skips unusable entries and says why; an entry without a usable order or size keeps its volume', () => {
    const skipped: Array<[string, string]> = [];
    const text = JSON.stringify({
      [A]: { volid: 'V1', order: '1' },
      '../../etc/passwd': { volid: 'V1', order: '2' },
      [B]: { order: '3' },
      '0000FF': { volid: 'V1' },
      '0000EE': { volid: 'V1', order: '4', size: -3 },
      '0000DD': 'V1',
      '0000CC': { volid: '', order: '5' },
      '0000BB': { volid: '///', order: '6' },
    });
    const hints = parseHintFile(text, 'h', (id, reason) => skipped.push([id, reason]));
    expect(Object.fromEntries(hints)).toEqual({
      [A]: { volid: 'V1', order: '1' },
      '0000FF': { volid: 'V1' },
      '0000EE': { volid: 'V1', order: '4' },
    });
    expect(skipped).toEqual([
      ['../../etc/passwd', 'not a pnfsid'],
      [B, 'no volid'],
      ['0000DD', 'not an object'],
      ['0000CC', 'no volid'],
      ['0000BB', 'no volid'],
    ]);
    // written back, an entry without order stays without one
    expect(JSON.parse(formatHintFile([['0000FF', { volid: 'V1' }]]))).toEqual({ '0000FF': { volid: 'V1' } });
  });

  it('shares one string per volume', () => {
    const text = JSON.stringify({ [A]: { volid: 'V1', order: '1' }, [B]: { volid: 'V1', order: '2' } });
    const hints = parseHintFile(text, 'h');
    expect(hints.get(A)?.volid).toBe('V1');
    expect(hints.get(B)?.volid).toBe('V1');
  });
});

describe('readHintFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('returns hints, mtime and the count of skipped entries', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hints-'));
    dirs.push(dir);
    const file = path.join(dir, 'hints.json');
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V', order: '1' }, nothex: { volid: 'V', order: '1' } }));
    const read = await readHintFile(file);
    expect(read.hints.size).toBe(1);
    expect(read.skipped).toBe(1);
    expect(read.firstSkip).toBe('nothex: not a pnfsid');
    expect(read.mtimeMs).toBe(fs.statSync(file).mtimeMs);
  });
});

describe('writeHintFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('replaces the file atomically with the formatted text, mode 0666 less the umask, no temporary left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hints-'));
    dirs.push(dir);
    const file = path.join(dir, 'hints.json');
    fs.writeFileSync(file, 'old');
    const entries = new Map<string, TapeHint>([[A, { volid: 'V', order: '1', sizeBytes: 3 }]]);
    await writeHintFile(file, entries);
    expect(fs.readFileSync(file, 'utf8')).toBe(formatHintFile(entries));
    expect(fs.statSync(file).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(fs.readdirSync(dir)).toEqual(['hints.json']);
  });

  it('writes in pieces that add up to the whole text', () => {
    const entries = Array.from({ length: 5000 }, (_, n): [string, TapeHint] => [n.toString(16).padStart(8, '0'), { volid: `V${n % 7}`, order: String(n) }]);
    const chunks = [...hintFileChunks(entries, 10_000)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(parseHintFile(chunks.join(''), 'h')).toEqual(new Map(entries));
  });
});

describe('sanitizeVolumeName', () => {
  it.each([
    ['L00001L8', 'L00001L8'],
    ['724216', '724216'],
    ['a.b-c', 'a.b-c'],
    ['../../x', '.._.._x'],
    ['VOL 1/2', 'VOL_1_2'],
    ['x  \t y', 'x_y'],
    ['åäö', '_'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeVolumeName(input)).toBe(expected);
  });
});

describe('resolveHintFilePath', () => {
  it('prefers $ENDIT_RETRIEVER_HINTFILE over retriever_hintfile', () => {
    expect(resolveHintFilePath('/conf.json', { ENDIT_RETRIEVER_HINTFILE: '/env.json' })).toBe('/env.json');
    expect(resolveHintFilePath('/conf.json', { ENDIT_RETRIEVER_HINTFILE: '' })).toBe('/conf.json');
    expect(resolveHintFilePath('/conf.json', {})).toBe('/conf.json');
    expect(resolveHintFilePath(undefined, {})).toBeUndefined();
  });
});
