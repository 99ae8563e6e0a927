import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCleanup, removeStaleFiles, scanLiveListNames, STALE_FILE_AGE_MS } from '../../src/retriever/cleanup.js';

const NOW = 1_700_000_000_000;
const OLD = NOW - STALE_FILE_AGE_MS - 1;

describe('planCleanup (SPEC 6.1)', () => {
  it('removes regular files older than 7 days (ctime), nothing else', () => {
    const doomed = planCleanup(
      [
        { name: 'old', ctimeMs: OLD, isFile: true },
        { name: 'young', ctimeMs: NOW - 1000, isFile: true },
        { name: 'exactly7days', ctimeMs: NOW - STALE_FILE_AGE_MS, isFile: true },
        { name: 'olddir', ctimeMs: OLD, isFile: false },
        { name: '.retriever.VOL1.abc.session', ctimeMs: OLD, isFile: true },
        { name: 'VOL1.abcdef', ctimeMs: OLD, isFile: true },
      ],
      NOW,
      STALE_FILE_AGE_MS,
      new Set(['VOL1.abcdef']),
    );
    expect(doomed).toEqual(['old']);
  });
});

describe('removeStaleFiles', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps the list of a live session of any daemon, named by its .session record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-cleanup-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'tsm-archive-files.AAAAAA'), 'x');
    fs.writeFileSync(path.join(dir, 'VOL1.BBBBBB'), 'x');
    fs.writeFileSync(path.join(dir, '.archiver.tsm-archive-files.AAAAAA.session'), JSON.stringify({ listFile: path.join(dir, 'tsm-archive-files.AAAAAA') }));
    const keep = await scanLiveListNames(dir);
    expect([...keep]).toEqual(['tsm-archive-files.AAAAAA']);
    // ctime cannot be set back: look from 8 days in the future instead.
    const removed = await removeStaleFiles(dir, Date.now() + 8 * 24 * 3600 * 1000, keep);
    expect(removed).toEqual(['VOL1.BBBBBB']);
    expect(fs.readdirSync(dir).sort()).toEqual(['.archiver.tsm-archive-files.AAAAAA.session', 'tsm-archive-files.AAAAAA']);
  });
});
