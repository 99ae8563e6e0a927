import { describe, expect, it } from 'vitest';
import { parseHintText, planHintEntry, scanHintText, type HintEntry } from '../../src/retriever/hint-parse.js';
import { bufferByteSource } from '../../src/core/hints/index.js';
import { sanitizeVolumeName } from '../../src/retriever/volume-name.js';

const ID1 = '0000A1B2C3D4E5F60718293A4B5C6D7E8F90';
const ID2 = '0000A1B2C3D4E5F60718293A4B5C6D7E8F91';

describe('parseHintText (SPEC 8)', () => {
  it('reads what our generator writes: numbers, one line', () => {
    const text = JSON.stringify({ [ID1]: { volid: 'L00001L8', order: '00000000-00000001-00000000-00000010', size: 123 } });
    const parsed = parseHintText(text);
    expect(parsed.ok && parsed.entries).toEqual([{ id: ID1, volume: 'L00001L8', order: [0, 1, 0, 16], sizeBytes: 123 }]);
  });

  it('reads what the Perl tools wrote: strings for numbers, size missing, pretty-printed', () => {
    const text = `{\n   "${ID1}" : {\n      "order" : "17",\n      "size" : "2048",\n      "volid" : "L00002L8"\n   },\n   "${ID2}" : {\n      "volid" : "L00002L8",\n      "order" : "3"\n   }\n}\n`;
    const parsed = parseHintText(text);
    expect(parsed.ok && parsed.entries).toEqual([
      { id: ID1, volume: 'L00002L8', order: [0, 0, 0, 17], sizeBytes: 2048 },
      { id: ID2, volume: 'L00002L8', order: [0, 0, 0, 3], sizeBytes: null },
    ]);
  });

  it('accepts any valid JSON: escapes, nested values, extra keys, numeric volid', () => {
    const text = `{"${ID1}":{"volid":"L\\u0030001L8","order":[1],"extra":{"a":[true,false,null,-1.5e3]}},"${ID2}":{"volid":4711,"order":"5"}}`;
    const parsed = parseHintText(text);
    expect(parsed.ok && parsed.entries).toEqual([
      { id: ID1, volume: 'L0001L8', order: null, sizeBytes: null },
      { id: ID2, volume: '4711', order: [0, 0, 0, 5], sizeBytes: null },
    ]);
  });

  it('reads an empty object', () => {
    expect(parseHintText(' {} ')).toMatchObject({ ok: true, entries: [] });
  });

  it.each([
    ['', /empty/],
    ['[]', /object/],
    ['{"a":1', /expected/],
    [`{"${ID1}":{"volid":"X"}} trailing`, /after the object/],
    [`{"${ID1}":{"volid":"X",}}`, /expected a string/],
    [`{"${ID1}":{"volid":"X\ny"}}`, /control character/],
    [`{"${ID1}":{"volid":01}}`, /expected/],
    ['{"a":tru}', /literal/],
  ])('rejects %j', (text, message) => {
    const parsed = parseHintText(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(message);
  });

  it('skips unusable entries, counts them and says why, keeps the rest', () => {
    const text = JSON.stringify({ 'not-an-id': { volid: 'A' }, [ID1]: { order: '1' }, [ID2]: { volid: 'VOL9' } });
    const parsed = parseHintText(text);
    expect(parsed.ok && parsed.entries.map((e) => e.id)).toEqual([ID2]);
    expect(parsed.ok && parsed.summary).toMatchObject({ entries: 1, skipped: 2 });
    expect(parsed.ok && parsed.summary.firstSkipReason).toMatch(/not a pnfsid/);
  });

  it('the last of duplicate keys wins, as with JSON.parse', () => {
    const text = `{"${ID1}":{"volid":"A"},"${ID1}":{"volid":"B"}}`;
    const parsed = parseHintText(text);
    expect(parsed.ok && parsed.entries.at(-1)?.volume).toBe('B');
  });
});

describe('volume names (SPEC 6.4)', () => {
  it.each([
    ['L00001L8', 'L00001L8'],
    ['vol.1-a', 'vol.1-a'],
    ['VOL 1', 'VOL_1'],
    ['a/../b', 'a_.._b'],
    ['x  //  y', 'x_y'],
    ['ÄÖ', '_'],
    ['tab\there', 'tab_here'],
  ])('%j → %j', (raw, sanitized) => {
    expect(sanitizeVolumeName(raw)).toBe(sanitized);
  });

  it('treats a volid that sanitizes to nothing as unknown', () => {
    expect(planHintEntry(ID1, { volid: ' ' }).ok).toBe(false);
    expect(planHintEntry(ID1, { volid: '///' }).ok).toBe(false);
  });
});

describe('streamed hint files', () => {
  const big = Object.fromEntries(
    Array.from({ length: 300 }, (_, i) => [`0000${i.toString(16).padStart(32, '0')}`, { volid: `V${i % 7}`, order: `00000000-00000000-00000000-${i.toString(16).padStart(8, '0')}`, size: i, note: [i, { x: 'y' }] }]),
  );

  it.each([1, 7, 64, 4096])('reads the same entries in chunks of %i bytes as from one buffer', (chunkBytes) => {
    const text = Buffer.from(JSON.stringify(big, null, 2));
    const whole = parseHintText(text);
    const entries: HintEntry[] = [];
    const outcome = scanHintText(bufferByteSource(text, chunkBytes), (e) => entries.push(e), { aheadBytes: 256 });
    expect(outcome.ok).toBe(true);
    expect(whole.ok && entries).toEqual(whole.ok && whole.entries);
    expect(entries).toHaveLength(300);
  });

  it.each([7, 300, 4096])('reads the same entries from a source that hands out one buffer, overwritten per chunk of %i bytes (as fileByteSource does)', (chunkBytes) => {
    const text = Buffer.from(JSON.stringify(big, null, 2));
    const chunks = bufferByteSource(text, chunkBytes);
    const shared = Buffer.alloc(chunkBytes);
    const reusing = (): Buffer | null => {
      const chunk = chunks();
      if (chunk === null) return null;
      shared.fill(0x7b); // what was handed out before is gone
      return shared.subarray(0, chunk.copy(shared));
    };
    const entries: HintEntry[] = [];
    expect(scanHintText(reusing, (e) => entries.push(e), { aheadBytes: 256 }).ok).toBe(true);
    const whole = parseHintText(text);
    expect(whole.ok && entries).toEqual(whole.ok && whole.entries);
  });

  it('reports a broken streamed file with its position in the whole file', () => {
    const text = Buffer.from(`${JSON.stringify(big).slice(0, -30)}}`);
    const outcome = scanHintText(bufferByteSource(text, 5), () => {}, { aheadBytes: 256 });
    expect(outcome.ok).toBe(false);
    const position = Number(/position (\d+)/.exec(!outcome.ok ? outcome.error : '')?.[1]);
    expect(position).toBeGreaterThan(text.length - 40);
    expect(position).toBeLessThan(text.length);
  });
});
