// The scenario's tape library, through the built program: mounts kept and lost, waits for
// a drive, MAXNUMMP, locate by list order, and what the journal records. Round-number
// drives (30 s mount, 1 GB/s, 1 TB tapes) in compressed time; never a wall-clock assertion.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEndEntry, JournalEntry, JournalMount, JournalStartEntry, JournalUnloadEntry } from '../../src/fake-dsmc/journal.js';
import { readJournal, seedObjects } from '../../src/fake-dsmc/library.js';
import type { Sandbox } from './helpers.js';
import { killAll, makeSandbox, removeSandbox, retrieveArgs, run, start, waitFor, writeList, writeScenario } from './helpers.js';

const GB = 1e9;

/** Like test/tape-model/round-spec.ts; volumes stay mounted unless a test says otherwise. */
const ROUND_LIBRARY = {
  robotMoveSec: 10, loadSec: 20, locateStartSec: 5, locateFullLengthSec: 100, rewindMinSec: 50, rewindMaxSec: 150,
  unloadSec: 30, readBytesPerSec: 1e9, tapeCapacityBytes: 1e12, mountRetentionSec: 1e7, timeScale: 0.0001,
};

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox();
});

afterEach(() => {
  killAll();
  removeSandbox(box);
});

function useLibrary(library: Record<string, unknown>, rules: unknown[] = []): void {
  writeScenario(box, { library: { ...ROUND_LIBRARY, ...library }, rules });
}

/** Seeds sparse objects `<volume><n>` (n from 1) in tape order; returns their out/ paths by name. */
function seed(volumes: Record<string, readonly number[]>): Record<string, string> {
  const paths: Record<string, string> = {};
  const specs = Object.entries(volumes).flatMap(([volume, sizes]) =>
    sizes.map((sizeBytes, i) => {
      const name = `${volume}${i + 1}`;
      paths[name] = join(box.out, `00${name}`);
      return { path: paths[name], sizeBytes, volume };
    }),
  );
  seedObjects(box.library, specs);
  return paths;
}

function retrieve(paths: readonly string[]): ReturnType<typeof run> {
  return run(retrieveArgs(writeList(box, paths), box.in), box.env);
}

function startRetrieve(paths: readonly string[]): ReturnType<typeof start> {
  return start(retrieveArgs(writeList(box, paths), box.in), box.env);
}

function endOf(pid: number | undefined): JournalEndEntry {
  const end = readJournal(box.library).find((e): e is JournalEndEntry => e.event === 'end' && e.pid === pid);
  if (end === undefined) throw new Error(`no end entry for pid ${pid}`);
  return end;
}

function ends(): JournalEndEntry[] {
  return readJournal(box.library).filter((e): e is JournalEndEntry => e.event === 'end');
}

function lastEnd(): JournalEndEntry {
  return ends().at(-1) as JournalEndEntry;
}

function mountsOfLast(): JournalMount[] {
  return lastEnd().mounts ?? [];
}

function unloads(): JournalUnloadEntry[] {
  return readJournal(box.library).filter((e: JournalEntry): e is JournalUnloadEntry => e.event === 'unload');
}

/** Sessions holding a drive, from drives.json. */
function sessionsOnDrives(): number {
  const path = join(box.library, 'drives.json');
  if (!existsSync(path)) return 0;
  return (JSON.parse(readFileSync(path, 'utf8')) as { library: { open: { $map: unknown[] } } }).library.open.$map.length;
}

describe('without a library in the scenario', () => {
  it('retrieves as before: no drives.json, no mounts in the journal', async () => {
    const paths = seed({ VA: [10] });
    expect((await retrieve([paths['VA1'] as string])).rc).toBe(0);
    expect(existsSync(join(box.library, 'drives.json'))).toBe(false);
    expect(lastEnd().mounts).toBeUndefined();
  });
});

describe('mounts kept and lost', () => {
  it('journals drive, fresh mount and its seconds; a volume still mounted is a follow-on that costs no mount', async () => {
    useLibrary({ drives: 1 });
    const paths = seed({ VA: [100 * GB, GB] });
    const first = await retrieve([paths['VA2'] as string]);
    expect(first.rc).toBe(0);
    // 10 s robot + 20 s load; locate 0 -> 100 GB: 5 s + a tenth of 100 s; 1 GB at 1 GB/s
    expect(mountsOfLast()).toEqual([
      { volume: 'VA', volumeId: 100_001, drive: 0, followOn: false, waitSec: 0, unmountSec: 0, mountSec: 30, locateSec: 15, transferSec: 1, files: 1, startSec: expect.any(Number), endSec: expect.any(Number) },
    ]);
    const second = await retrieve([paths['VA1'] as string]);
    expect(second.rc).toBe(0);
    // no mount; the head goes back from 101 GB to 0
    expect(mountsOfLast()).toEqual([expect.objectContaining({ volume: 'VA', drive: 0, followOn: true, mountSec: 0, unmountSec: 0, locateSec: 15.1, transferSec: 100, files: 1 })]);
    // the library's simulated clock runs on between sessions
    const [a, b] = ends().map((e) => e.mounts?.[0] as JournalMount);
    expect(a?.startSec).toBeLessThan(a?.endSec as number);
    expect(b?.startSec).toBeGreaterThan(a?.endSec as number);
    expect(readdirSync(box.in).sort()).toEqual(['00VA1', '00VA2']);
  });

  it('unloads the least recently used idle volume when a drive is needed', async () => {
    useLibrary({ drives: 2 });
    const paths = seed({ VA: [GB, GB], VB: [GB], VC: [GB] });
    for (const name of ['VA1', 'VB1', 'VA2']) expect((await retrieve([paths[name] as string])).rc).toBe(0);
    expect(mountsOfLast()[0]).toMatchObject({ volume: 'VA', followOn: true });
    expect((await retrieve([paths['VC1'] as string])).rc).toBe(0);
    // VB was used less recently than VA: its drive's rewind (50 s + 1 GB of a 1 TB tape) and unload come first
    expect(mountsOfLast()).toEqual([expect.objectContaining({ volume: 'VC', followOn: false, evictedVolume: 'VB', unmountSec: 80.1, mountSec: 30 })]);
    expect(unloads()).toEqual([expect.objectContaining({ event: 'unload', volume: 'VB', reason: 'eviction', rewindSec: 50.1, unloadSec: 30 })]);
  });

  it('after the mount retention the volume has left its drive: a fresh mount, and a retention unload in the journal', async () => {
    useLibrary({ drives: 1, mountRetentionSec: 10 }); // 1 ms of real time at this scale
    const paths = seed({ VA: [GB, GB] });
    expect((await retrieve([paths['VA1'] as string])).rc).toBe(0);
    expect((await retrieve([paths['VA2'] as string])).rc).toBe(0);
    expect(mountsOfLast()).toEqual([expect.objectContaining({ volume: 'VA', followOn: false, mountSec: 30, unmountSec: 0 })]);
    expect(unloads()).toEqual([expect.objectContaining({ volume: 'VA', reason: 'retention', rewindSec: 50.1, unloadSec: 30 })]);
  });

  it('a list over several volumes mounts each in turn, in list order', async () => {
    useLibrary({ drives: 2 });
    const paths = seed({ VA: [GB, GB], VB: [GB] });
    const result = await retrieve([paths['VA1'], paths['VB1'], paths['VA2']] as string[]);
    expect(result.rc).toBe(0);
    expect(mountsOfLast().map((m) => [m.volume, m.followOn, m.files])).toEqual([['VA', false, 1], ['VB', false, 1], ['VA', true, 1]]);
  });
});

describe('compressed time', () => {
  it("dates a session's first mount at its process's start, so the fake's own start-up is not drive time a hundred times over", async () => {
    useLibrary({ drives: 1 });
    const paths = seed({ VA: [GB, GB] });
    expect((await retrieve([paths['VA1'] as string])).rc).toBe(0); // makes the library's clock
    const second = await retrieve([paths['VA2'] as string]);
    expect(second.rc).toBe(0);
    const { epochRealMs } = JSON.parse(readFileSync(join(box.library, 'drives.json'), 'utf8')) as { epochRealMs: number };
    const startEntry = readJournal(box.library).findLast((e): e is JournalStartEntry => e.event === 'start');
    const startLineSimSec = ((startEntry?.timeMs as number) - epochRealMs) / ROUND_LIBRARY.timeScale / 1000;
    const [first, followOn] = ends().map((e) => e.mounts?.[0] as JournalMount);
    // asked for before the fake had even journalled its start (its modules were loading), yet after the first session let the drive go
    expect(followOn?.startSec).toBeLessThan(startLineSimSec);
    expect(followOn?.startSec).toBeGreaterThanOrEqual(first?.endSec as number);
  });
});

describe('locate', () => {
  it('costs less for a list in tape order than for the same layout reversed', async () => {
    useLibrary({ drives: 2 });
    const paths = seed({ VA: [20 * GB, 20 * GB, 20 * GB, 20 * GB, 20 * GB], VB: [20 * GB, 20 * GB, 20 * GB, 20 * GB, 20 * GB] });
    const onVolume = (volume: string): string[] => [1, 2, 3, 4, 5].map((n) => paths[`${volume}${n}`] as string);
    expect((await retrieve(onVolume('VA'))).rc).toBe(0);
    const inTapeOrder = mountsOfLast()[0]?.locateSec as number;
    expect((await retrieve(onVolume('VB').reverse())).rc).toBe(0);
    const reversed = mountsOfLast()[0]?.locateSec as number;
    expect(inTapeOrder).toBe(0); // each file follows the last on the tape
    expect(reversed).toBe(49); // 0 -> 80 GB: 13 s; then four times 40 GB back: 9 s each
    expect(inTapeOrder).toBeLessThan(reversed);
  });

  it('counts the objects before a file on its tape that the list does not name (a session reads only the listed ones)', async () => {
    useLibrary({ drives: 1 });
    const paths = seed({ VA: [20 * GB, 20 * GB, 20 * GB, 20 * GB, 20 * GB], VB: [20 * GB] });
    expect((await retrieve([paths['VA5'] as string])).rc).toBe(0);
    expect(mountsOfLast()).toEqual([expect.objectContaining({ volume: 'VA', files: 1, locateSec: 13, transferSec: 20 })]); // 0 -> 80 GB: 5 s + 8 s
  });
});

describe('every drive busy', () => {
  it('a session waits with ANS1114I while the only drive reads, then gets it and succeeds', async () => {
    // ~335 simulated seconds of reading at 1/100 speed: the second session asks well before the end
    useLibrary({ drives: 1, timeScale: 0.01 });
    const paths = seed({ VA: [300 * GB], VB: [GB] });
    const holder = startRetrieve([paths['VA1'] as string]);
    await waitFor(() => sessionsOnDrives() === 1, 'the first session on the drive');
    const waiter = await retrieve([paths['VB1'] as string]);
    expect(waiter.rc).toBe(0);
    expect(waiter.stdout).toContain('ANS1114I Waiting for mount of offline media.\n');
    expect((await holder.done).rc).toBe(0);
    const [held, waited] = [endOf(holder.child.pid).mounts?.[0], lastEnd().mounts?.[0]];
    expect(waited).toMatchObject({ volume: 'VB', drive: 0, evictedVolume: 'VA' });
    expect(waited?.waitSec).toBeGreaterThan(0);
    expect(waited?.startSec).toBeLessThan(held?.endSec as number);
    expect(readdirSync(box.in).sort()).toEqual(['00VA1', '00VB1']);
  });

  it('a session killed while holding the drive does not hold it for ever: the waiting one gets it', async () => {
    useLibrary({ drives: 1 }, [{ command: 'retrieve', times: 1, action: 'hang', afterFiles: 1 }]);
    const paths = seed({ VA: [GB, GB], VB: [GB] });
    const holder = startRetrieve([paths['VA1'], paths['VA2']] as string[]);
    await waitFor(() => sessionsOnDrives() === 1 && existsSync(join(box.in, '00VA1')), 'the hanging session holding the drive');
    const waiter = startRetrieve([paths['VB1'] as string]);
    await waitFor(() => waiter.stdout().includes('ANS1114I'), 'ANS1114I');
    holder.child.kill('SIGKILL');
    const result = await waiter.done;
    expect(result.rc).toBe(0);
    expect(lastEnd().mounts).toEqual([expect.objectContaining({ volume: 'VB', drive: 0, followOn: false, evictedVolume: 'VA' })]);
  });
});

describe('maxNumMp', () => {
  it('past it a session fails at once with ANS1312E and rc 12, retrieving nothing', async () => {
    useLibrary({ drives: 2, maxNumMp: 1 }, [{ command: 'retrieve', times: 1, action: 'hang', afterFiles: 1 }]);
    const paths = seed({ VA: [GB, GB], VB: [GB, GB] });
    startRetrieve([paths['VA1'], paths['VA2']] as string[]);
    await waitFor(() => sessionsOnDrives() === 1, 'the first session holding its mount point');
    const result = await retrieve([paths['VB1'], paths['VB2']] as string[]);
    expect(result.rc).toBe(12);
    expect(result.stderr).toContain('ANS1312E Server media mount not possible\n');
    expect(result.stdout).not.toContain('ANS1114I');
    expect(result.stdout).toMatch(/^Total number of objects failed: +2$/m);
    expect(lastEnd()).toMatchObject({ rc: 12, outcome: 'failed', mountError: 'ANS1312E', done: [], failed: ['00VB1', '00VB2'] });
    expect(lastEnd().mounts).toBeUndefined();
    expect(existsSync(join(box.in, '00VB1'))).toBe(false);
  });
});
