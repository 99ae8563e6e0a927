// A retrieve session on the scenario's drives: mount each volume of the list in turn
// (waiting with ANS1114I while every drive is busy), hand over each file when the drive
// model says it has been read, let the drive go after the volume's last file.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionPlan } from '../tape-model/drive-model.js';
import type { DrivesChange, DrivesState } from './drive-state.js';
import { planRealMs, updateDrives } from './drive-state.js';
import { appendJournal } from './journal.js';
import type { LibraryScenario } from './scenario-library.js';
import type { SessionContext } from './session.js';
import type { MountAnswer, TapeRun } from './tape-plan.js';
import { planFirstRequestMs, planMountCheck, planMountEnd, planMountRecord, planMountRequest, planUnloadEntry } from './tape-plan.js';

// Real dsmc's words: a session waiting for a drive, and one past the node's MAXNUMMP.
const WAITING_FOR_MOUNT = 'ANS1114I Waiting for mount of offline media.';
export const MOUNT_NOT_POSSIBLE = 'ANS1312E Server media mount not possible';

/** Real time between two looks at the drives while waiting: the simulated timeline absorbs the lag. */
const POLL_MS = 20;

interface HeldDrive {
  readonly run: TapeRun;
  readonly sessionId: number;
  readonly plan: SessionPlan;
  filesRead: number;
}

export class TapeSession {
  private readonly placeOf = new Map<number, { run: TapeRun; file: number }>();
  private held: HeldDrive | null = null;
  private clock: Pick<DrivesState, 'epochRealMs' | 'config'> | null = null;
  /** The first mount is dated at the process's start (see planFirstRequestMs); later ones when asked. */
  private mounted = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly config: LibraryScenario,
    runs: readonly TapeRun[],
  ) {
    for (const run of runs) run.entryIndexes.forEach((entryIndex, file) => this.placeOf.set(entryIndex, { run, file }));
  }

  /** Before list entry `index`: mounts its volume if it starts one, then waits until the drive has read it. False: no mount point (ANS1312E). */
  async beforeEntry(index: number): Promise<boolean> {
    const place = this.placeOf.get(index);
    if (place === undefined) return true;
    if (this.held?.run !== place.run) {
      this.release();
      const answer = await this.mount(place.run);
      if (answer.kind !== 'started') return false;
      this.held = { run: place.run, sessionId: answer.sessionId, plan: answer.plan, filesRead: 0 };
    }
    const landing = this.held?.plan.files[place.file];
    if (landing !== undefined) await this.sleepUntil(landing.landedMs);
    return true;
  }

  /** After list entry `index`: the volume's last file lets the drive go. */
  afterEntry(index: number): void {
    const place = this.placeOf.get(index);
    if (place === undefined || this.held?.run !== place.run) return;
    this.held.filesRead += 1;
    if (place.file === place.run.entryIndexes.length - 1) this.release();
  }

  /** Lets the drive go (the session ends, or moves on to another volume) and journals the mount. */
  release(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    // never before the last file handed over was read (a timer may fire a little early)
    const readMs = held.plan.files[held.filesRead - 1]?.landedMs ?? -Infinity;
    const ended = this.update((state, nowMs) => planMountEnd(state, Math.max(nowMs, readMs), held.sessionId));
    this.ctx.progress.mounts.push(planMountRecord(held.run, held.plan, held.filesRead, Math.max(ended.nowMs, readMs)));
  }

  private async mount(run: TapeRun): Promise<MountAnswer> {
    const first = !this.mounted;
    this.mounted = true;
    const askedMs = (state: DrivesState, nowMs: number): number => (first ? planFirstRequestMs(state, nowMs, performance.timeOrigin) : nowMs);
    let answer = this.update((state, nowMs) => planMountRequest(state, askedMs(state, nowMs), run, process.pid)).result;
    if (answer.kind === 'waiting') {
      this.ctx.out.message(WAITING_FOR_MOUNT);
      this.ctx.out.flush();
    }
    while (answer.kind === 'waiting') {
      await sleep(POLL_MS);
      const sessionId = answer.sessionId;
      answer = this.update((state, nowMs) => planMountCheck(state, nowMs, run, process.pid, sessionId)).result;
    }
    return answer;
  }

  private async sleepUntil(simMs: number): Promise<void> {
    if (this.clock === null) return;
    const waitMs = planRealMs(this.clock, simMs) - Date.now();
    if (waitMs < 1) return;
    this.ctx.out.flush(); // a reader sees each file as it lands
    await sleep(waitMs);
  }

  private update<T>(change: (state: DrivesState, nowMs: number) => DrivesChange<T>): DrivesChange<T> & { nowMs: number } {
    const changed = updateDrives(this.ctx.libraryDir, this.config, change);
    this.clock = changed.state;
    for (const unload of changed.unloads) appendJournal(this.ctx.journalPath, planUnloadEntry(unload, Date.now(), process.pid));
    return changed;
  }
}
