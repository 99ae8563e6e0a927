/** What a session's signs of life are, besides its output lines, and how long it may go without one. */
export interface StallWatch {
  /** dsmc is killed after this many ms without an output line or a change of `probe`. */
  readonly stallMs: number;
  /**
   * A measure of progress only the caller sees (e.g. bytes landed in in/ for
   * the session's files); any change counts as activity. Called once per
   * check (at most every minute), so it must be cheap. A throw counts as no change.
   */
  readonly probe?: () => number;
}

/** How often the watchdog looks: a tenth of the timeout, between 100 ms and a minute. Pure. */
export function stallCheckMs(stallMs: number): number {
  return Math.min(60_000, Math.max(100, Math.floor(stallMs / 10)));
}

/** A monotonic clock: a wall clock set back or forward must not fake a stall. */
const monotonicMs = (): number => performance.now();

/**
 * Calls `onStall` once when neither `touch()` (a line of output) nor a
 * change of the watch's probe came for `stallMs`. An output line only notes
 * the time, so a flood of lines costs nothing; the timer runs once per check.
 */
export class StallWatchdog {
  private lastActivityMs: number;
  private lastProgress: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly checkMs: number;

  constructor(
    private readonly watch: StallWatch,
    private readonly onStall: (idleMs: number) => void,
    private readonly nowMs: () => number = monotonicMs,
  ) {
    this.lastActivityMs = nowMs();
    this.lastProgress = this.readProbe();
    this.checkMs = stallCheckMs(watch.stallMs);
    this.schedule(this.checkMs);
  }

  /** A sign of life: an output line came. */
  touch(): void {
    this.lastActivityMs = this.nowMs();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    const progress = this.readProbe();
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.lastActivityMs = this.nowMs();
    }
    const idleMs = this.nowMs() - this.lastActivityMs;
    if (idleMs >= this.watch.stallMs) {
      this.onStall(idleMs);
      return;
    }
    this.schedule(Math.min(this.checkMs, this.watch.stallMs - idleMs));
  }

  private readProbe(): number | undefined {
    try {
      return this.watch.probe?.();
    } catch {
      return this.lastProgress;
    }
  }
}
