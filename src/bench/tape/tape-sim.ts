/**
 * The simulator's side of bench:tape: the two baselines and the new
 * policy on a seed's trace, with the settings the real retriever runs
 * with, and the fake's drive model as a scenario. Pure.
 */
import type { LibrarySpec } from '../../tape-model/drive-model.js';
import { createEnditRulesPolicy, createNewPolicy, createTodayPolicy } from '../../tape-model/policies.js';
import { simulate, type SimResult } from '../../tape-model/simulate.js';
import type { TraceRequest } from '../../tape-model/trace.js';
import type { RetrieverSettings } from '../../retriever/settings.js';

/** `endit-rules (sim)`, `today (sim)`, `new (sim)` on one trace. */
export function simulateBaselines(trace: readonly TraceRequest[], library: LibrarySpec, settings: RetrieverSettings, seed: number): SimResult[] {
  const policies = [createEnditRulesPolicy(settings, seed), createTodayPolicy(settings), createNewPolicy(settings)];
  return policies.map((policy) => {
    const result = simulate(trace, policy, library);
    return { ...result, policy: `${result.policy} (sim)` };
  });
}

/**
 * The fake's `library` scenario for `spec`: every timing given (not left to
 * the preset), so the fake plays exactly the simulator's model; bytes scaled
 * with the files (see tape-layout.ts).
 */
export function planLibraryScenario(spec: LibrarySpec, timeScale: number, byteScale: number): Record<string, string | number | null> {
  return {
    preset: 'lto9',
    drives: spec.drives,
    robotMoveSec: spec.robotMoveSec,
    loadSec: spec.loadSec,
    locateStartSec: spec.locateStartSec,
    locateFullLengthSec: spec.locateFullLengthSec,
    rewindMinSec: spec.rewindMinSec,
    rewindMaxSec: spec.rewindMaxSec,
    unloadSec: spec.unloadSec,
    readBytesPerSec: Math.round(spec.readBytesPerSec * byteScale),
    tapeCapacityBytes: Math.round(spec.tapeCapacityBytes * byteScale),
    mountRetentionSec: spec.mountRetentionMs / 1000,
    maxNumMp: spec.maxNumMp,
    timeScale,
  };
}
