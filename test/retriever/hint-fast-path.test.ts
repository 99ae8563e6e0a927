import { describe, expect, it } from 'vitest';
import { bufferByteSource, scanHintRecords, type HintRecord, type HintScanOutcome } from '../../src/core/hints/index.js';
import { createRandom, randomInt, type Random } from '../../src/core/prng.js';
import { parseHintText, scanHintText } from '../../src/retriever/hint-parse.js';
import { RequestCache } from '../../src/retriever/request-cache.js';
import type { HintColumns } from '../../src/retriever/hint-columns.js';

/**
 * The plain-member fast path (src/core/hints/plain-member.ts, the retriever's
 * byte sink) against the general reader, on generated hint files: every
 * member shape the fast path takes, and many it must leave to the general
 * reader. Both must give the same records, entries, hints and summary.
 */

const pick = <T>(random: Random, items: readonly T[]): T => items[randomInt(random, items.length)] as T;

function hex(random: Random, length: number, letters: 'upper' | 'lower' | 'mixed'): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const digit = randomInt(random, 16).toString(16);
    out += letters === 'upper' ? digit.toUpperCase() : letters === 'lower' ? digit : random() < 0.5 ? digit.toUpperCase() : digit;
  }
  return out;
}

/** Keys: mostly pnfsids the fast path packs; also long, mixed-case, escaped, non-hex, empty ones. */
function keyText(random: Random, known: string[]): string {
  const roll = random();
  if (roll < 0.15 && known.length > 0) return pick(random, known); // a duplicate id
  if (roll < 0.7) {
    const id = hex(random, pick(random, [36, 36, 24, 1, 35, 2]), pick(random, ['upper', 'upper', 'lower', 'mixed']));
    known.push(`"${id}"`);
    return `"${id}"`;
  }
  return pick(random, [
    `"${hex(random, 37, 'upper')}"`,
    `"${hex(random, 64, 'lower')}"`,
    `"${hex(random, 65, 'upper')}"`,
    '""',
    '"not-a-pnfsid"',
    '"\\u0041B12"',
    '"AB\\"12"',
    '"00AB\u00e912"',
    '"00 AB"',
    '"0000G1"',
    '12',
    'null',
  ]);
}

const ws = (random: Random): string => (random() < 0.7 ? '' : pick(random, [' ', '\n', '\t', '\r\n', '  \n   ', ' \t']));

function volidText(random: Random): string {
  if (random() < 0.75) return `"${pick(random, ['BV0000L8', 'L00001L8', 'a.b-C9', 'X', 'VOL1', 'L2'.repeat(32), 'L2'.repeat(33)])}"`;
  return pick(random, [
    '"VOL A"',
    '" VOL1"',
    '"VOL1 "',
    '"VOL\\u0031"',
    '"VOL\\n1"',
    '""',
    '"///"',
    '"V\u00e9L"',
    '"VOL_1"',
    '4711',
    '-1',
    '1.5',
    'null',
    'true',
    '{"a":1}',
    '["VOL1"]',
    '"\u00a0VOL1\u00a0"',
  ]);
}

function orderText(random: Random): string {
  if (random() < 0.6) {
    return pick(random, [
      `"${hex(random, 8, 'upper')}-${hex(random, 8, 'upper')}-${hex(random, 8, 'lower')}-${hex(random, 8, 'mixed')}"`,
      `"${randomInt(random, 1000)}"`,
      `${randomInt(random, 1000)}`,
      '"FFFFFFFF-FFFFFFFF-FFFFFFFF-FFFFFFFF"',
    ]);
  }
  return pick(random, [
    '"1-2-3-4"',
    '"00000000-00000001-00000000-0000001G"',
    '"00000000-00000001-00000000-000000100"',
    '"000000000-0000001-00000000-00000010"',
    '"abc"',
    '"-"',
    '"007"',
    '"123456789012345"',
    '"1234567890123456"',
    '"12345678901234567"',
    '"9007199254740993"',
    '123456789012345',
    '1234567890123456',
    '9007199254740993',
    '" 17 "',
    '""',
    '0',
    '-1',
    '-0',
    '1.5',
    '1e3',
    '1E+2',
    'null',
    'false',
    '[1]',
    '"\\u0031"',
    '"1\\t"',
  ]);
}

function sizeText(random: Random): string {
  if (random() < 0.6) return pick(random, [`${randomInt(random, 2 ** 31)}`, `"${randomInt(random, 100000)}"`, '1073741824', '0']);
  return pick(random, [
    '1e3',
    '-1',
    '-0',
    '1.5',
    '1.0',
    '"12"',
    '" 12 "',
    '"0012"',
    '"-12"',
    '"1.5"',
    '""',
    '"123456789012345"',
    '"1234567890123456"',
    '"12345678901234567"',
    '123456789012345',
    '1234567890123456',
    '9007199254740993',
    '1e20',
    'null',
    'true',
    '{}',
    '[12]',
    '"\\u0031"',
  ]);
}

function memberValueText(random: Random): string {
  if (random() < 0.05) return pick(random, ['{}', '[]', '"VOL1"', '12', 'null', '{"volid":"A",}', '{"volid" "A"}', '{volid:"A"}']);
  const parts: string[] = [];
  if (random() < 0.92) parts.push(`"volid"${ws(random)}:${ws(random)}${volidText(random)}`);
  if (random() < 0.8) parts.push(`"order"${ws(random)}:${ws(random)}${orderText(random)}`);
  if (random() < 0.8) parts.push(`"size"${ws(random)}:${ws(random)}${sizeText(random)}`);
  if (random() < 0.08) parts.push(`${pick(random, ['"volid"', '"order"', '"size"'])}:${pick(random, ['"VOL2"', '"5"', '7'])}`); // a key twice
  if (random() < 0.08) parts.push(`${pick(random, ['"extra"', '"Volid"', '"vol\\u0069d"', '"sizes"', '"ord"'])}:${pick(random, ['1', '"x"', '{"a":[1,2]}'])}`);
  const shuffledParts = parts.sort(() => random() - 0.5);
  return `{${ws(random)}${shuffledParts.join(`${ws(random)},${ws(random)}`)}${ws(random)}}`;
}

/** A hint file: mostly valid JSON; sometimes truncated, with garbage after it, or a member broken. */
function hintFileText(random: Random, members: number): string {
  const known: string[] = [];
  const items: string[] = [];
  for (let i = 0; i < members; i++) items.push(`${ws(random)}${keyText(random, known)}${ws(random)}:${ws(random)}${memberValueText(random)}${ws(random)}`);
  const text = `${ws(random)}{${items.join(',')}}${ws(random)}`;
  const roll = random();
  if (roll < 0.08) return text.slice(0, randomInt(random, text.length));
  if (roll < 0.1) return `${text} {}`;
  if (roll < 0.12) return text.replace('},', '}');
  return text;
}

interface Read {
  readonly outcome: HintScanOutcome;
  readonly records: HintRecord[];
  readonly skips: string[];
}

function readRecords(text: Buffer, plainFastPath: boolean, streamedChunkBytes?: number): Read {
  const records: HintRecord[] = [];
  const skips: string[] = [];
  const input = streamedChunkBytes === undefined ? text : bufferByteSource(text, streamedChunkBytes);
  const outcome = scanHintRecords(input, (record) => records.push(record), { plainFastPath, onSkip: (id, reason) => skips.push(`${id}: ${reason}`), aheadBytes: 512 });
  return { outcome, records, skips };
}

/** Every hint the cache holds after loading `text`, by id, with the outcome. */
function loadIntoCache(text: Buffer, plainFastPath: boolean): { outcome: HintScanOutcome; hints: Record<string, unknown>; entries: number } {
  const cache = new RequestCache();
  const outcome = scanHintText(bufferByteSource(text, 97), cache.beginHints(4), { plainFastPath, aheadBytes: 512 });
  cache.endHints(outcome.ok);
  const columns = cache['hints'] as HintColumns | null;
  const hints: Record<string, unknown> = {};
  for (let slot = 0; slot < cache.store.extent; slot++) {
    if (!cache.store.isUsed(slot) || columns?.has(slot) !== true) continue;
    const id = cache.store.nameOf(slot);
    hints[id] = { volume: cache.volumeOf(id), sizeBytes: columns.sizeBytes[slot], order: columns.orderOf(slot) };
  }
  return { outcome, hints, entries: cache.hintEntries };
}

describe('the plain-member fast path of the hint reader', () => {
  it('gives exactly what the general reader gives, on 2000 generated hint files', () => {
    let usable = 0;
    let plainMembers = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const random = createRandom(seed);
      const text = Buffer.from(hintFileText(random, 1 + randomInt(random, seed % 10 === 0 ? 200 : 40)), 'utf8');
      const general = readRecords(text, false);
      const fast = readRecords(text, true);
      expect(fast, `seed ${seed}: ${text.toString()}`).toEqual(general);
      expect(readRecords(text, true, 1 + randomInt(random, 13)), `seed ${seed}, streamed`).toEqual(general);
      expect(parseHintText(text), `seed ${seed}, entries`).toEqual(parseHintText(text, { plainFastPath: false }));
      expect(loadIntoCache(text, true), `seed ${seed}, request cache`).toEqual(loadIntoCache(text, false));
      if (general.outcome.ok) usable += general.outcome.summary.entries;
      scanHintRecords(text, () => {}, { onPlainMember: () => plainMembers++ });
    }
    // The generator makes usable entries, most of them plain (a test of the fast path, not just of the general reader).
    expect(plainMembers).toBeGreaterThan(usable / 2);
  });

  it('reads the common shapes by the fast path (the same entries as before)', () => {
    const id = '0000A1B2C3D4E5F60718293A4B5C6D7E8F90';
    const text = `{ "${id}" : {\n "size":"2048", "order" : 17, "volid":"L00002L8"\n} ,"${id.toLowerCase()}":{"volid":"L1","order":"00000000-00000001-00000000-000000ff","size":0}}`;
    expect(parseHintText(text)).toEqual({
      ok: true,
      entries: [
        { id, volume: 'L00002L8', order: [0, 0, 0, 17], sizeBytes: 2048 },
        { id: id.toLowerCase(), volume: 'L1', order: [0, 1, 0, 255], sizeBytes: 0 },
      ],
      summary: { entries: 2, skipped: 0, firstSkipReason: null },
    });
  });
});
