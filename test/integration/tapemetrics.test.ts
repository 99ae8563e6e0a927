/**
 * The real bin/endit tapemetrics (run `npm run build` first) over the session
 * records of two hosts, written by hand in test/fixtures/tapemetrics as
 * SESSION-HISTORY.md fixes them, checked against WLCG's field list.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startCommand } from './harness.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'tapemetrics');

/**
 * WLCG TapeMetricsJSON, https://twiki.cern.ch/twiki/bin/view/HEPTape/TapeMetricsJSON,
 * as CERN (CTA), FNAL (Enstore, CTA) and NDGF (dCache) publish it: the
 * storage service, and per VO one storage share. Sizes in bytes rounded to
 * decimal GB, byte and mount counts as integers, timestamps in unix seconds,
 * avgtaperemounts with 2 decimals.
 */
const WLCG_SERVICE_FIELDS = ['name', 'implementation', 'implementationversion', 'latestupdate', 'storageshares'];
const WLCG_SHARE_FIELDS = [
  'name',
  'vos',
  'timestamp',
  'usedsize',
  'occupiedsize',
  'readbytes24h',
  'writebytes24h',
  'totalmounts24h',
  'uniquemounts24h',
  'avgtaperemounts',
];
/** What endit leaves out without a hint file for the VO: it does not know them. */
const WLCG_SIZE_FIELDS = ['usedsize', 'occupiedsize'];

const NOW = '2025-06-02T00:00:00Z';
const NOW_SEC = Date.parse(NOW) / 1000;

async function tapemetrics(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const run = startCommand('endit', ['tapemetrics', ...args]);
  const { code } = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}

describe('bin/endit tapemetrics', () => {
  it('prints the TapeMetricsJSON of two hosts: one share per VO, the fields of WLCG, the figures of the last 24 h', async () => {
    const { code, out, err } = await tapemetrics([
      '--now', NOW,
      '--name', 'TEST-T1-Tape',
      '--vo', 'atlaspool1=atlas',
      '--vo', 'atlaspool2=atlas',
      '--hints', `atlaspool1=${path.join(FIXTURES, 'hints-atlaspool1.json')}`,
      path.join(FIXTURES, 'host-a'),
      path.join(FIXTURES, 'host-b'),
    ]);
    expect(code).toBe(0);
    expect(err.split('\n')).toEqual([
      `endit tapemetrics: warning: ${FIXTURES}/host-a/tsmretriever-sessions.jsonl: 1 lines are no session record, skipped (first: line 3: not JSON)`,
      `endit tapemetrics: warning: ${FIXTURES}/hints-atlaspool1.json: 1 entries have no size; usedsize counts them as 0`,
      '',
    ]);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(['storageservice']);
    expect(Object.keys(report.storageservice).sort()).toEqual([...WLCG_SERVICE_FIELDS].sort());
    const [atlas, cms] = report.storageservice.storageshares;
    expect(Object.keys(atlas).sort()).toEqual([...WLCG_SHARE_FIELDS].sort());
    expect(Object.keys(cms).sort()).toEqual(WLCG_SHARE_FIELDS.filter((f) => !WLCG_SIZE_FIELDS.includes(f)).sort());
    expect(report.storageservice).toMatchObject({ name: 'TEST-T1-Tape', implementation: 'ENDIT', latestupdate: NOW_SEC });
    expect(report.storageservice.implementationversion).toMatch(/^\d+\.\d+\.\d+/);
    // atlas: two pools on two hosts; VOL001 of atlaspool1 mounted twice, a
    // follow-on, a session that never started dsmc, one session of the day
    // before (in the rotated file, ended 23 h ago), one of 25 h ago.
    expect(atlas).toEqual({
      name: 'atlas',
      vos: ['atlas'],
      timestamp: NOW_SEC,
      usedsize: 4e9,
      occupiedsize: 4e9,
      readbytes24h: 8.5e9,
      writebytes24h: 4e9,
      totalmounts24h: 5,
      uniquemounts24h: 4,
      avgtaperemounts: 1.25,
    });
    // cms: its pool's desc-short is its VO; a session that ended after --now is not counted.
    expect(cms).toEqual({
      name: 'cmspool',
      vos: ['cmspool'],
      timestamp: NOW_SEC,
      readbytes24h: 5e9,
      writebytes24h: 6e9,
      totalmounts24h: 1,
      uniquemounts24h: 1,
      avgtaperemounts: 1,
    });
    for (const share of [atlas, cms]) {
      for (const field of ['timestamp', 'readbytes24h', 'writebytes24h', 'totalmounts24h', 'uniquemounts24h']) expect(Number.isInteger(share[field])).toBe(true);
    }
  });

  it('exits 1 naming a host directory it cannot read, with the figures of the other', async () => {
    const missing = path.join(FIXTURES, 'host-c');
    const { code, out, err } = await tapemetrics(['--now', NOW, missing, path.join(FIXTURES, 'host-b')]);
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`^endit tapemetrics: ${missing}: cannot read \\(ENOENT`));
    expect(JSON.parse(out).storageservice.storageshares.map((s: { name: string }) => s.name)).toEqual(['atlaspool2', 'cmspool']);
  });
});
