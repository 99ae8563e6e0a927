import { describe, expect, it } from 'vitest';
import { growableArray, grownArray } from '../../src/core/growable-array.js';

describe('growable typed arrays (resizable ArrayBuffer: grown in place, off the malloc heap)', () => {
  it.each([
    { kind: Float64Array, value: 1.5, fill: -1 },
    { kind: Int32Array, value: -7, fill: -1 },
    { kind: Uint32Array, value: 4_000_000_000, fill: 3 },
    { kind: Uint8Array, value: 255, fill: 0 },
  ])('$kind.name: zero-filled, keeps its values when grown, new elements set to the fill', ({ kind, value, fill }) => {
    const array = growableArray(kind as Float64ArrayConstructor, 4);
    expect([...array]).toEqual([0, 0, 0, 0]);
    array[3] = value;
    const grown = grownArray(array, 8, fill);
    expect(grown).toBe(array); // in place, within its reservation
    expect([...grown]).toEqual([0, 0, 0, value, fill, fill, fill, fill]);
  });

  it('never shortens', () => {
    const array = growableArray(Int32Array, 8);
    expect(grownArray(array, 3, 9)).toBe(array);
    expect(array.length).toBe(8);
  });

  it('past its reservation, copies into a larger one', () => {
    const array = growableArray(Uint8Array, 10);
    const reserved = (array.buffer as ArrayBuffer).maxByteLength;
    array[9] = 42;
    const grown = grownArray(array, reserved + 1, 7);
    expect(grown).not.toBe(array);
    expect(grown.length).toBe(reserved + 1);
    expect([grown[9], grown[10], grown[reserved]]).toEqual([42, 7, 7]);
    expect(grownArray(grown, reserved + 100)).toBe(grown); // room to grow again in place
  });

  it('grows a plain typed array by copying it', () => {
    const grown = grownArray(new Float64Array([1, 2]), 4, -1);
    expect([...grown]).toEqual([1, 2, -1, -1]);
    expect((grown.buffer as ArrayBuffer).resizable).toBe(true);
  });
});
