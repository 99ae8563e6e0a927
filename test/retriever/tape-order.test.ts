import { describe, expect, it } from 'vitest';
import { compareOrderKeys, parseOrderKey, sortTapeOrder } from '../../src/retriever/tape-order.js';

describe('parseOrderKey', () => {
  it.each([
    ['00000000-00000001-00000000-0000ABCD', [0, 1, 0, 0xabcd]],
    ['0-1-0-abcd', [0, 1, 0, 0xabcd]],
    ['FFFFFFFF-00000000-00000000-00000000', [0xffffffff, 0, 0, 0]],
    ['12345', [0, 0, 0, 12345]],
    [' 42 ', [0, 0, 0, 42]],
    [42, [0, 0, 0, 42]],
    [2 ** 40 + 7, [0, 0, 2 ** 8, 7]],
    ['0', [0, 0, 0, 0]],
    ['1099511627783', [0, 0, 2 ** 8, 7]],
    ['9007199254740991', [0, 0, 2 ** 21 - 1, 2 ** 32 - 1]],
    ['0000000000000001', [0, 0, 0, 1]],
  ])('%j → %j', (raw, key) => {
    expect(parseOrderKey(raw)).toEqual(key);
  });

  it.each([[undefined], [null], [''], ['abc'], ['1-2-3'], ['123456789-0-0-0'], ['9007199254740992'], ['12345678901234567'], ['12a'], ['+1'], ['1.5'], ['١٢'], [-1], [1.5], [{}]])('%j is not an order', (raw) => {
    expect(parseOrderKey(raw)).toBeNull();
  });
});

describe('tape order', () => {
  it('compares hex restore orders group by group, as fixed-width hex (not as text)', () => {
    const a = parseOrderKey('00000000-0000000A-00000000-00000000');
    const b = parseOrderKey('00000000-00000009-FFFFFFFF-FFFFFFFF');
    const c = parseOrderKey('0-a-0-1');
    expect(a && b && compareOrderKeys(a, b)).toBeGreaterThan(0);
    expect(a && c && compareOrderKeys(a, c)).toBeLessThan(0);
    // As plain strings "0-a-0-1" would sort after "00000000-0000000A-..."; as positions it follows it.
  });

  it('compares integer positions numerically (10 after 9)', () => {
    const items = ['10', '9', '100', '1'].map((order, i) => ({ id: `F${i}`, order: parseOrderKey(order) }));
    expect(sortTapeOrder(items).map((f) => f.id)).toEqual(['F3', 'F1', 'F0', 'F2']);
  });

  it('puts files without a known position last, by id', () => {
    const items = [
      { id: 'C', order: null },
      { id: 'B', order: parseOrderKey('0-0-0-2') },
      { id: 'A', order: null },
      { id: 'D', order: parseOrderKey('0-0-0-1') },
    ];
    expect(sortTapeOrder(items).map((f) => f.id)).toEqual(['D', 'B', 'A', 'C']);
  });

  it('sorts a thousand shuffled positions into order', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: `X${i}`, order: parseOrderKey(`00000000-00000000-${(i >> 4).toString(16)}-${(i & 15).toString(16)}`) }));
    const shuffled = [...items].sort(() => Math.random() - 0.5);
    expect(sortTapeOrder(shuffled).map((f) => f.id)).toEqual(items.map((f) => f.id));
  });
});
