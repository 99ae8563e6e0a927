// The streaming catalog reader against the reader it replaced (the whole file as one
// string, every line JSON.parse'd): the same live objects for every chunk size and
// filter, whatever the lines (torn, garbage, escapes, del before and after add).
import { describe, expect, it } from 'vitest';
import type { AddRecord, CatalogRecord, StoredObject } from '../../src/fake-dsmc/catalog.js';
import { formatCatalogRecord, toStoredObject } from '../../src/fake-dsmc/catalog.js';
import type { CatalogFilter } from '../../src/fake-dsmc/catalog-scan.js';
import { readCatalog, scanLines, sketchLine } from '../../src/fake-dsmc/catalog-scan.js';

/** The reader before streaming (parseCatalog), the reference the new one must match. */
function referenceParse(text: string): StoredObject[] {
  const live = new Map<number, AddRecord>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let record: CatalogRecord | undefined;
    try {
      record = JSON.parse(line) as CatalogRecord;
    } catch {
      record = undefined;
    }
    if (record?.op === 'add') live.set(record.seq, record);
    else if (record?.op === 'del') live.delete(record.seq);
  }
  return [...live.values()].sort((a, b) => a.seq - b.seq).map(toStoredObject);
}

function referenceFiltered(text: string, filter: CatalogFilter | undefined): StoredObject[] {
  const objects = referenceParse(text);
  if (filter === undefined) return objects;
  return 'paths' in filter ? objects.filter((o) => filter.paths.has(o.path)) : objects.filter((o) => filter.volumes.has(o.volume));
}

/** Reads `text` as a file read `chunkBytes` at a time. */
function readText(text: string | Buffer, filter?: CatalogFilter, chunkBytes?: number): StoredObject[] {
  const bytes = Buffer.from(text);
  let at = 0;
  const read = (buffer: Buffer, offset: number, length: number): number => {
    const n = bytes.copy(buffer, offset, at, Math.min(bytes.length, at + length));
    at += n;
    return n;
  };
  return readCatalog(read, filter, chunkBytes);
}

const add = (seq: number, path: string, more: Partial<AddRecord> = {}): string =>
  formatCatalogRecord({ op: 'add', seq, path, sizeBytes: seq * 1000, volume: 'V1', volumeId: 100_001, position: seq, description: 'd', archivedAtMs: 0, sparse: true, ...more });
const del = (seq: number): string => formatCatalogRecord({ op: 'del', seq });

const ODD_PATHS = ['/p/out/quo"te', '/p/out/back\\slash', '/p/out/caf\u00e9', '/p/out/\u{1F4BE}disk', '/p/out/\u65e5\u672c', '/p/out/new\nline', '/p/out/tab\t', '/p/out/"path":"/p/out/A"'];

const CATALOGS: Record<string, string> = {
  'adds and dels': [add(2, '/p/out/B'), add(1, '/p/out/A'), add(3, '/p/out/A'), del(2), add(4, '/p/out/C')].join(''),
  'del before its add, del of an unknown seq': [del(5), add(5, '/p/out/A'), del(9), add(6, '/p/out/B'), del(6)].join(''),
  'torn last line': [add(1, '/p/out/A'), add(2, '/p/out/B'), '{"op":"add","seq":3,"path":"/p/out/A","size'].join(''),
  'torn del': [add(1, '/p/out/A'), add(12, '/p/out/B'), '{"op":"del","seq":1}x\n', '{"op":"del","seq":1'].join(''),
  'garbage, empty and odd lines': [add(1, '/p/out/A'), 'garbage\n', '\n', '\n', '\u0000\u0000\n', '\ufeff{"op":"del","seq":1}\n', ' \t{"op":"del","seq":1}\n', '\r\n', 'null\n', '5\n', '[]\n', '{}\n', add(2, '/p/out/B'), '{"op":"del","seq":01}\n', '{"op":"del","seq":2} \n', add(3, '/p/out/C'), add(4, '/p/out/A')].join(''),
  'a torn line another append continued': [add(1, '/p/out/A'), '{"op":"add","seq":2,"path":"/p/out/B"', add(3, '/p/out/C'), add(4, '/p/out/A')].join(''),
  'CRLF line ends': [add(1, '/p/out/A'), add(2, '/p/out/B')].map((line) => line.replace('\n', '\r\n')).join(''),
  'odd paths (escapes and unicode)': ODD_PATHS.map((path, i) => add(i + 1, path)).join('') + del(2),
  'keys in another order, written by hand': [
    '{"seq":1,"op":"add","path":"/p/out/A","sizeBytes":1,"volume":"V2","volumeId":1,"position":1,"description":"x","archivedAtMs":0,"sparse":true}\n',
    '{ "op": "del", "seq": 1 }\n',
    '{"op":"add","seq":2,"sizeBytes":1,"path":"/p/out/B","volume":"V2","volumeId":1,"position":2,"description":"x","archivedAtMs":0,"sparse":true}\n',
  ].join(''),
  'one seq added twice (never written so)': [add(1, '/p/out/A'), add(1, '/p/out/B'), add(2, '/p/out/B'), add(2, '/p/out/A'), add(3, '/p/out/A'), '{"op":"add","seq":3,"path":"/p/out/B","si\n'].join(''),
  'volumes and descriptions that look like keys': [
    add(1, '/p/out/A', { volume: 'V2', description: '","volume":"V1' }),
    add(2, '/p/out/B', { volume: 'V"3', description: ',"sizeBytes":1,"volume":"V2"' }),
    add(3, '/p/out/C', { volume: 'V\u00e94' }),
    add(4, '/p/out/quo"te', { volume: 'V2' }),
  ].join(''),
  'no newline at the end': [add(1, '/p/out/A'), add(2, '/p/out/B').trimEnd()].join(''),
};

const PATH_SETS: string[][] = [[], ['/p/out/A'], ['/p/out/B', '/p/out/C', '/p/out/missing'], ODD_PATHS, ['/p/out/A', '/p/out/B', ...ODD_PATHS.slice(0, 3)]];
const VOLUME_SETS: string[][] = [['V1'], ['V2'], ['V"3', 'V\u00e94']];
const FILTERS: (CatalogFilter | undefined)[] = [undefined, ...PATH_SETS.map((paths) => ({ paths: new Set(paths) })), ...VOLUME_SETS.map((volumes) => ({ volumes: new Set(volumes) }))];
const CHUNK_SIZES = [1, 2, 3, 7, 16, 61, 4096, undefined];

describe('readCatalog: the same live objects as the reader of the whole text', () => {
  for (const [name, text] of Object.entries(CATALOGS)) {
    it(name, () => {
      for (const filter of FILTERS) {
        const expected = referenceFiltered(text, filter);
        for (const chunkBytes of CHUNK_SIZES) expect(readText(text, filter, chunkBytes), `filter ${JSON.stringify(filter, (_k, v: unknown) => (v instanceof Set ? [...v] : v))}, chunk ${chunkBytes}`).toEqual(expected);
      }
    });
  }

  it('a line torn at any byte, last or followed by more records', () => {
    const records = [add(1, '/p/out/A'), add(2, '/p/out/B', { volume: 'V2' }), del(1), add(3, '/p/out/quo"te')];
    for (const [i, record] of records.entries()) {
      for (let cut = 1; cut < record.length; cut += 1) {
        const torn = record.slice(0, cut);
        const before = records.slice(0, i).join('');
        for (const text of [before + torn, `${before + torn}\n${records.slice(i + 1).join('')}`]) {
          for (const filter of FILTERS) expect(readText(text, filter, 5)).toEqual(referenceFiltered(text, filter));
        }
      }
    }
  });

  it('the filtered objects are those of the unfiltered read, field for field', () => {
    const text = Array.from({ length: 300 }, (_, i) => (i % 7 === 6 ? del(i - 3) : add(i + 1, `/p/out/F${i % 50}`, { volume: `V${i % 9}` }))).join('');
    const all = readText(text);
    const paths = new Set(['/p/out/F3', '/p/out/F17', '/p/out/F49']);
    expect(readText(text, { paths }, 64)).toEqual(all.filter((o) => paths.has(o.path)));
    expect(readText(text, { volumes: new Set(['V4']) }, 64)).toEqual(all.filter((o) => o.volume === 'V4'));
    expect(readText(text, { paths }, 64).length).toBeGreaterThan(3);
  });

  it('a path of invalid UTF-8 reads as the old reader decoded it (U+FFFD)', () => {
    const [head, tail] = add(1, '/p/out/AX').split('X') as [string, string];
    const text = Buffer.concat([Buffer.from(head), Buffer.from([0xc3]), Buffer.from(tail), Buffer.from(add(2, '/p/out/B'))]); // 0xc3 alone: not UTF-8
    for (const filter of [undefined, { paths: new Set(['/p/out/A\ufffd', '/p/out/B']) }, { paths: new Set(['/p/out/A']) }]) {
      expect(readText(text, filter, 7)).toEqual(referenceFiltered(text.toString('utf8'), filter));
    }
    expect(readText(text, { paths: new Set(['/p/out/A\ufffd']) })).toHaveLength(1);
  });

  it('a path whose bytes hash as a wanted one does (FNV-1a) is not taken for it', () => {
    const text = [add(1, '/p/out/65zx'), add(2, '/p/out/dpcd')].join('');
    expect(readText(text, { paths: new Set(['/p/out/dpcd']) }).map((o) => o.seq)).toEqual([2]);
    expect(readText(text, { paths: new Set(['/p/out/65zx']) }).map((o) => o.seq)).toEqual([1]);
  });

  it('reads no file: nothing', () => {
    expect(readText('', { paths: new Set(['/p/out/A']) }, 4)).toEqual([]);
    expect(readText('')).toEqual([]);
  });
});

describe('scanLines', () => {
  it('hands over each line once, whatever the chunks, a line longer than a chunk included', () => {
    const text = `a\n\nbb\n${'x'.repeat(50)}\nccc\nlast`;
    for (const chunkBytes of [1, 2, 3, 8, 100]) {
      const bytes = Buffer.from(text);
      let at = 0;
      const lines: string[] = [];
      scanLines(
        (buffer, offset, length) => {
          const n = bytes.copy(buffer, offset, at, Math.min(bytes.length, at + length));
          at += n;
          return n;
        },
        chunkBytes,
        (buffer, start, end) => lines.push(buffer.toString('utf8', start, end)),
      );
      expect(lines).toEqual(text.split('\n'));
    }
  });
});

describe('sketchLine: an add or del line read without JSON.parse', () => {
  const sketch = (line: string, key: 'path' | 'volume' = 'path'): unknown => {
    const bytes = Buffer.from(line);
    const found = sketchLine(bytes, 0, bytes.length, key);
    return found?.op === 'add' ? { op: 'add', seq: found.seq, key: bytes.toString('utf8', found.keyStart, found.keyEnd) } : found;
  };

  it.each([
    ['an add: its path', add(7, '/p/out/caf\u00e9').trimEnd(), 'path', { op: 'add', seq: 7, key: '/p/out/caf\u00e9' }],
    ['an add: its volume', add(7, '/p/out/A', { volume: 'VOL9' }).trimEnd(), 'volume', { op: 'add', seq: 7, key: 'VOL9' }],
    ['a del', del(12).trimEnd(), 'path', { op: 'del', seq: 12 }],
    ['an escaped path: left to JSON.parse', add(1, '/p/out/a"b').trimEnd(), 'path', undefined],
    ['an escaped path, for its volume: left to JSON.parse', add(1, '/p/out/a\\b').trimEnd(), 'volume', undefined],
    ['a torn path', '{"op":"add","seq":1,"path":"/p/ou', 'path', undefined],
    ['a torn del', '{"op":"del","seq":1', 'path', undefined],
    ['a del with more after it', '{"op":"del","seq":1}x', 'path', undefined],
    ['a leading zero', '{"op":"del","seq":01}', 'path', undefined],
    ['a seq too long for exact digits', '{"op":"del","seq":1234567890123456}', 'path', undefined],
    ['another key order', '{"seq":1,"op":"del"}', 'path', undefined],
  ] as const)('%s', (_name, line, key, expected) => {
    expect(sketch(line, key)).toEqual(expected);
  });
});
