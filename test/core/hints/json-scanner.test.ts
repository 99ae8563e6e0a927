import { describe, expect, it } from 'vitest';
import { bufferByteSource, scanJsonObjectMembers, type Scanner } from '../../../src/core/hints/json-scanner.js';

/** Members of `text` as [key, value] pairs, or the error message; members under key `skip` go through skipValue. */
function scan(text: string, chunkBytes?: number): unknown[] {
  const out: unknown[] = [];
  const readValue = (scanner: Scanner, key: string): unknown => (key === 'skip' ? (scanner.skipValue(), 'skipped') : scanner.value());
  try {
    const input = chunkBytes === undefined ? text : bufferByteSource(Buffer.from(text), chunkBytes);
    scanJsonObjectMembers(input, (key, value) => out.push([key, value]), readValue);
  } catch (error) {
    out.push((error as Error).message);
  }
  return out;
}

describe('json scanner: arrays and objects share one reader', () => {
  it.each([
    { text: '{}', members: [] },
    { text: ' { "a" : [ 1 , [ ] , { "b" : [ true , null ] } ] } ', members: [['a', [1, [], { b: [true, null] }]]] },
    { text: '{"skip":[1,[2,{"x":[]}]],"c":"d"}', members: [['skip', 'skipped'], ['c', 'd']] },
    { text: '{"a":[1,,2]}', members: ['invalid value at position 8'] },
    { text: '{"a":[1 2]}', members: ["expected ',' at position 8"] },
    { text: '{"skip":[1 2]}', members: ["expected ',' at position 11"] },
    { text: '{"a" 1}', members: ["expected ':' at position 5"] },
    { text: '{"a":1,}', members: [['a', 1], 'expected a string at position 7'] },
  ])('$text', ({ text, members }) => {
    expect(scan(text)).toEqual(members);
    expect(scan(text, 1)).toEqual(members);
  });
});
