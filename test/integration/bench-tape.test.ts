/**
 * bench:tape on a tiny trace: the real endit-retriever against the fake
 * dsmc's drives, through the bench's own code. Counts and consistency with
 * the fake's journal are asserted; no timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runRealRetriever } from '../../src/bench/tape/run-seed.js';
import { planScaledConfig } from '../../src/bench/tape/tape-config.js';
import { planTapeLayout } from '../../src/bench/tape/tape-layout.js';
import { planLibraryScenario } from '../../src/bench/tape/tape-sim.js';
import { createPool, destroyPool, type BenchPool } from '../../src/bench/workspace.js';
import type { JournalEndEntry, JournalUnloadEntry } from '../../src/fake-dsmc/journal.js';
import { readJournal } from '../../src/fake-dsmc/library.js';
import { LTO9_LIBRARY } from '../../src/tape-model/drive-model.js';
import { defaultRetrieverSettings } from '../../src/tape-model/policies.js';
import { DEFAULT_TRACE_SPEC, generateTrace } from '../../src/tape-model/trace.js';

const pools: BenchPool[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) destroyPool(pool);
});

const TIME_SCALE = 0.001;
const BYTE_SCALE = 0.001;

describe('bench:tape against the real retriever', () => {
  it('delivers every request of a tiny trace on 2 drives; the figures agree with the fake journal', { timeout: 120_000 }, async () => {
    const library = { ...LTO9_LIBRARY, drives: 2 };
    const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed: 5, recalls: 20, volumes: 4, spanMs: 10 * 60_000 });
    const layout = planTapeLayout(trace, BYTE_SCALE);
    const config = planScaledConfig(defaultRetrieverSettings(2), TIME_SCALE, BYTE_SCALE);
    const pool = createPool('tape-test');
    pools.push(pool);
    const scenario = planLibraryScenario(library, TIME_SCALE, BYTE_SCALE);
    const run = await runRealRetriever(pool, { trace, layout, scenario, config: config.values, spec: library, timeScale: TIME_SCALE, horizonSec: 60_000 }, () => {});

    const { result } = run.summary;
    expect(run).toMatchObject({ timedOut: false, failedRecalls: 0, emergencyKills: 0 });
    expect(run.summary).toMatchObject({ delivered: trace.length, dsmcSessionsLost: 0 });
    expect(result.freshMounts).toBeGreaterThanOrEqual(new Set(trace.map((r) => r.volume)).size);
    for (const [part, seconds] of Object.entries(result.drive)) expect(seconds, part).toBeGreaterThanOrEqual(0);

    const journal = readJournal(pool.library);
    const mounts = journal.filter((e): e is JournalEndEntry => e.event === 'end' && e.command === 'retrieve').flatMap((e) => e.mounts ?? []);
    const unloads = journal.filter((e): e is JournalUnloadEntry => e.event === 'unload');
    expect(result.sessions).toBe(mounts.length);
    expect(result.freshMounts).toBe(mounts.filter((m) => !m.followOn).length);
    // a fresh mount is a robot move and a load; a follow-on none
    expect(result.drive.mountSec).toBeCloseTo(result.freshMounts * (library.robotMoveSec + library.loadSec), 6);
    // every file read once: the transfer time is the trace's bytes at the read rate
    const traceBytes = trace.reduce((sum, r) => sum + r.sizeBytes, 0);
    expect(result.drive.transferSec).toBeCloseTo(traceBytes / library.readBytesPerSec, 0);
    expect(result.drive.locateSec).toBeCloseTo(mounts.reduce((sum, m) => sum + m.locateSec, 0), 6);
    // each fresh mount is unloaded once (evicted, at its retention's end, or left in a drive at the end)
    const journaledUnloadSec = unloads.reduce((sum, u) => sum + u.rewindSec + u.unloadSec, 0);
    expect(result.drive.unmountSec).toBeGreaterThanOrEqual(journaledUnloadSec);
    expect(result.drive.unmountSec).toBeGreaterThanOrEqual(result.freshMounts * (library.rewindMinSec + library.unloadSec) - 1e-6);
    expect(result.drive.unmountSec).toBeLessThanOrEqual(result.freshMounts * (library.rewindMaxSec + library.unloadSec) + 1e-6);

    for (const l of result.landings) {
      expect(l.driveStartMs).toBeGreaterThanOrEqual(l.arrivalMs - 1000); // a millisecond of real time
      expect(l.landedMs).toBeGreaterThan(l.driveStartMs);
    }
    expect(result.makespanSec).toBeGreaterThanOrEqual(result.lowerBoundSec * 0.99);
    expect(result.latency.maxSec).toBeGreaterThanOrEqual(result.latency.meanSec);
  });
});
