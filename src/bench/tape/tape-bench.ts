/**
 * One seed of `npm run bench:tape`: the trace, the simulator's rows with
 * the settings the real retriever runs with, the real run in a temporary
 * pool, and the targets judged.
 */
import type { LibrarySpec } from '../../tape-model/drive-model.js';
import type { SimResult } from '../../tape-model/simulate.js';
import { generateTrace, type TraceSpec } from '../../tape-model/trace.js';
import type { RetrieverSettings } from '../../retriever/settings.js';
import { createPool, destroyPool } from '../workspace.js';
import { runRealRetriever, type RealRun } from './run-seed.js';
import { planScaledConfig, type ScaledConfig } from './tape-config.js';
import { planTapeLayout } from './tape-layout.js';
import { planLibraryScenario, simulateBaselines } from './tape-sim.js';
import { decideTapeTargets, planWaitFigures, type TargetVerdict, type WaitFigures } from './tape-targets.js';

export interface TapeBenchSetup {
  /** The trace of each seed: this spec with the seed's number. */
  readonly traceSpec: TraceSpec;
  /** The library at full size, in simulated seconds; its drives are the retriever's maxworkers. */
  readonly library: LibrarySpec;
  /** The retriever's settings in simulated time (the defaults, usually). */
  readonly settings: RetrieverSettings;
  readonly timeScale: number;
  readonly byteScale: number;
  readonly tmpdir: string | undefined;
  readonly progress: (message: string) => void;
}

export interface TapeSeedResult {
  readonly seed: number;
  readonly timeScale: number;
  readonly recalls: number;
  readonly volumes: number;
  /** endit-rules, today, new: simulated. */
  readonly sims: readonly SimResult[];
  readonly real: RealRun;
  readonly config: ScaledConfig;
  /** Traced files moved on tape because their trace positions overlapped, and the longest move (full-size bytes). */
  readonly shiftedFiles: number;
  readonly maxShiftBytes: number;
  readonly waits: WaitFigures;
  readonly verdicts: readonly TargetVerdict[];
}

/** The simulated time after which the real run gives up: twice the slowest simulated run, plus a fill wait max. */
export function planHorizonSec(sims: readonly SimResult[], settings: RetrieverSettings): number {
  return 2 * Math.max(0, ...sims.map((s) => s.makespanSec)) + settings.fillWaitMaxMs / 1000;
}

export async function benchTapeSeed(setup: TapeBenchSetup, seed: number): Promise<TapeSeedResult> {
  const trace = generateTrace({ ...setup.traceSpec, seed });
  const config = planScaledConfig(setup.settings, setup.timeScale, setup.byteScale);
  const sims = simulateBaselines(trace, setup.library, config.effective, seed);
  const layout = planTapeLayout(trace, setup.byteScale);
  const pool = createPool(`tape-seed${seed}`, setup.tmpdir);
  let real: RealRun;
  try {
    real = await runRealRetriever(
      pool,
      {
        trace,
        layout,
        scenario: planLibraryScenario(setup.library, setup.timeScale, setup.byteScale),
        config: config.values,
        spec: setup.library,
        timeScale: setup.timeScale,
        horizonSec: planHorizonSec(sims, config.effective),
      },
      setup.progress,
    );
  } finally {
    destroyPool(pool);
  }
  const waits = planWaitFigures(real.summary.result.landings, config.effective.fillWaitMaxMs / 1000);
  const [enditRules, today] = sims as [SimResult, SimResult, SimResult];
  const verdicts = decideTapeTargets({ run: real.summary.result, today, enditRules, waits, emergencyKills: real.emergencyKills });
  return { seed, timeScale: setup.timeScale, recalls: trace.length, volumes: new Set(trace.map((r) => r.volume)).size, sims, real, config, shiftedFiles: layout.shiftedFiles, maxShiftBytes: layout.maxShiftBytes, waits, verdicts };
}
