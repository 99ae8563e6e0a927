import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFixture, endit, hexId } from './helpers.js';

const MIB = 1024 ** 2;
const NOW_MS = 1_700_000_000_000;

/** Hints as the Perl tools wrote them too: numbers as strings, a size missing, restore-order strings. */
const HINTS = {
  [hexId(1)]: { volid: 'VOL002', order: '00000000-00000002-00000000-00000010', size: 4 * MIB },
  [hexId(2)]: { volid: 'VOL002', order: '00000000-00000001-00000000-00000020', size: String(2 * MIB) },
  [hexId(3)]: { volid: 'VOL001', order: '10', size: MIB },
  [hexId(4)]: { volid: 'VOL001', order: '9' },
  [hexId(5)]: { volid: 'VOL 3/x', order: '1', size: 7 },
};

describe('endit pertape', () => {
  it('prints files and bytes per volume as a table, marking unknown sizes', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: f.hintfile });
    f.writeHints(HINTS);
    const { code, out } = await endit(['pertape', '--config', f.config]);
    expect(code).toBe(0);
    expect(out).toContain(`Hint file ${f.hintfile}: 5 files on 3 volumes`);
    const rows = out.split('\n').filter((line) => /^(VOL\S*\s|TOTAL)/.test(line) && !line.startsWith('VOLUME')).map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual([
      ['VOL001', '2', '>= 1.0 MiB'],
      ['VOL002', '2', '6.0 MiB'],
      ['VOL_3_x', '1', '7 B'],
      ['TOTAL', '5', '>= 7.0 MiB'],
    ]);
    expect(out).toMatch(/1 files have no size/);
  });

  it('prints JSON and ids in tape order', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: f.hintfile });
    f.writeHints(HINTS);
    const json = JSON.parse((await endit(['pertape', '--config', f.config, '--format', 'json'])).out);
    expect(json.volumes).toEqual([
      { volume: 'VOL001', files: 2, bytes: MIB, unknownSizeFiles: 1 },
      { volume: 'VOL002', files: 2, bytes: 6 * MIB, unknownSizeFiles: 0 },
      { volume: 'VOL_3_x', files: 1, bytes: 7, unknownSizeFiles: 0 },
    ]);
    expect(json.totals).toEqual({ volumes: 3, files: 5, bytes: 7 * MIB + 7, unknownSizeFiles: 1 });
    const ids = await endit(['pertape', '--config', f.config, '--format=ids']);
    expect(ids.out).toBe([`VOL001 ${hexId(4)} ${hexId(3)}`, `VOL002 ${hexId(2)} ${hexId(1)}`, `VOL_3_x ${hexId(5)}`, ''].join('\n'));
  });

  it('reads the hint file named by $ENDIT_RETRIEVER_HINTFILE without needing a configuration', async () => {
    const f = createFixture();
    f.writeHints(HINTS);
    const { code, out } = await endit(['pertape', '--config', `${f.root}/absent.conf`, '--format', 'json'], { env: { ENDIT_RETRIEVER_HINTFILE: f.hintfile } });
    expect(code).toBe(0);
    expect(JSON.parse(out).hintFile).toBe(f.hintfile);
  });

  it('warns about unusable entries and uses the rest', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: f.hintfile });
    f.writeHints({ ...HINTS, 'not-a-pnfsid': { volid: 'VOL009', order: '1' }, [hexId(6)]: { order: '1' } });
    const { code, out, err } = await endit(['pertape', '--config', f.config, '--format', 'json']);
    expect(code).toBe(0);
    expect(err).toBe(`endit pertape: warning: ${f.hintfile}: 2 unusable entries skipped\n`);
    expect(JSON.parse(out).totals.files).toBe(5);
  });

  it('exits 1 without a hint file or with a broken one', async () => {
    const f = createFixture();
    const none = await endit(['pertape', '--config', f.config]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no hint file: set retriever_hintfile/);
    f.writeConfig({ retriever_hintfile: f.hintfile });
    const missing = await endit(['pertape', '--config', f.config]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${f.hintfile}: cannot read the hint file`);
    fs.writeFileSync(f.hintfile, '{"0000AB": {"volid": ');
    const broken = await endit(['pertape', '--config', f.config]);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`${f.hintfile}: not valid JSON`);
  });

  it('--queue groups pending recalls by hint volume, default for unknown ids, flushes ignored', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: f.hintfile });
    f.writeHints(HINTS);
    const recall = (size: number) => ({ file_size: size, parent_pid: 1, time: 1, action: 'recall', path: '/p' });
    f.writeRequest(hexId(1), recall(4 * MIB));
    f.writeRequest(hexId(2), recall(2 * MIB));
    f.writeRequest(hexId(4), recall(3 * MIB));
    f.writeRequest(hexId(77), recall(100));
    f.writeRequest(hexId(78), { file_size: 10 * MIB, action: 'migrate', path: '/q' });
    // Being written right now: not yet valid JSON.
    fs.writeFileSync(`${f.dir}/request/${hexId(79)}`, '{"file_size":');
    const json = JSON.parse((await endit(['pertape', '--config', f.config, '--queue', '--format', 'json'], { nowMs: NOW_MS })).out);
    expect(json.volumes.map((v: { volume: string; files: number; bytes: number }) => [v.volume, v.files, v.bytes])).toEqual([
      ['VOL002', 2, 6 * MIB],
      ['VOL001', 1, 3 * MIB],
      ['default', 1, 100],
    ]);
    expect(json.totals).toEqual({ volumes: 3, files: 4, bytes: 9 * MIB + 100 });
    expect(json.unreadable).toBe(1);
    const ids = await endit(['pertape', '--config', f.config, '--queue', '--format', 'ids']);
    expect(ids.out.split('\n')[0]).toBe(`VOL002 ${hexId(2)} ${hexId(1)}`);
    const table = await endit(['pertape', '--config', f.config, '--queue']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^Pending recalls: 4 requests on 3 volumes/);
    expect(table.out).toMatch(/^VOL002\s+2\s+6\.0 MiB/m);
  });

  it('--queue without hints puts every request on default', async () => {
    const f = createFixture();
    f.writeRequest(hexId(1), { file_size: 5, action: 'recall' });
    const { code, out } = await endit(['pertape', '--config', f.config, '--queue', '--format', 'ids']);
    expect(code).toBe(0);
    expect(out).toBe(`default ${hexId(1)}\n`);
  });
});
