// When `endit drain` signals a daemon, when it stops, and what it says about
// what is left. Pure.
import type { DaemonDrainView, DirCount, DrainDaemon, DrainView } from './drain-view.js';

export interface DrainSettings {
  /** When to give up (--timeout). */
  readonly deadlineMs: number;
  /**
   * A daemon that has done what the last SIGUSR1 asked and still has work
   * (new files came) gets another one after this long: max(2 × sleeptime, 5 s).
   */
  readonly resendAfterMs: number;
}

export interface DrainState {
  /** When each daemon was last sent SIGUSR1 (null: not yet). */
  readonly lastSignalMs: Readonly<Record<DrainDaemon, number | null>>;
}

export const INITIAL_DRAIN_STATE: DrainState = { lastSignalMs: { archiver: null, deleter: null } };

/**
 * drained: no work left for a daemon (names they ignore may remain);
 * stuck: work is left but nothing can move it (its daemon is not running,
 * or every queued deletion is held back); timeout: --timeout passed.
 */
export type DrainStop = 'drained' | 'stuck' | 'timeout';

export interface DrainStep {
  readonly signal: readonly DrainDaemon[];
  readonly stop: DrainStop | null;
  readonly nextState: DrainState;
}

function figure(daemon: DaemonDrainView, name: string): number | undefined {
  return daemon.figures?.[`${daemon.name}_${name}`];
}

function archiverWork(view: DrainView): number {
  return view.out.work;
}

function deleterWork(view: DrainView): number {
  return view.trash.work + view.queue.work;
}

/** Every id still queued is held back by volume-aware deletion, and nothing new is on its way. */
function allHeld(view: DrainView): boolean {
  const held = figure(view.deleter, 'held_files') ?? 0;
  return view.trash.work === 0 && held > 0 && held >= (figure(view.deleter, 'waiting_files') ?? 0);
}

function canProgress(view: DrainView, daemon: DrainDaemon): boolean {
  if (daemon === 'archiver') return view.archiver.pid !== null;
  return view.deleter.pid !== null && !allHeld(view);
}

function workOf(view: DrainView, daemon: DrainDaemon): number {
  return daemon === 'archiver' ? archiverWork(view) : deleterWork(view);
}

/** Another SIGUSR1 helps only a daemon that is idle, not failing, and has published since the last one. */
function wantsSignal(view: DrainView, daemon: DrainDaemon, lastMs: number | null, settings: DrainSettings): boolean {
  const d = view[daemon];
  if (d.pid === null || workOf(view, daemon) === 0 || !canProgress(view, daemon)) return false;
  if (lastMs === null) return true;
  if (view.nowMs - lastMs < settings.resendAfterMs) return false;
  const busy = figure(d, 'busyworkers') ?? 0;
  // While sessions fail the daemon retries with its own back-off: a signal would skip it.
  const failures = figure(d, 'backoff_failures') ?? 0;
  const publishedMs = (figure(d, 'time') ?? Infinity) * 1000;
  return busy === 0 && failures === 0 && publishedMs >= lastMs;
}

export function decideDrainStep(view: DrainView, state: DrainState, settings: DrainSettings): DrainStep {
  const daemons: DrainDaemon[] = ['archiver', 'deleter'];
  const waiting = daemons.filter((d) => workOf(view, d) > 0);
  let stop: DrainStop | null = null;
  if (waiting.length === 0) stop = 'drained';
  else if (!waiting.some((d) => canProgress(view, d))) stop = 'stuck';
  else if (view.nowMs >= settings.deadlineMs) stop = 'timeout';
  const signal = stop === null ? daemons.filter((d) => wantsSignal(view, d, state.lastSignalMs[d], settings)) : [];
  const lastSignalMs = { ...state.lastSignalMs };
  for (const d of signal) lastSignalMs[d] = view.nowMs;
  return { signal, stop, nextState: { lastSignalMs } };
}

/** Nothing at all is left in out/, trash/ and trash/queue/. */
export function isEmpty(view: DrainView): boolean {
  return [view.out, view.trash, view.queue].every((c) => c.work === 0 && c.ignored === 0);
}

export interface DrainLogTails {
  /** The last warning or error line of each daemon's log. */
  readonly archiver?: string | undefined;
  readonly deleter?: string | undefined;
}

function notRunning(d: DaemonDrainView): string {
  return `no ${d.name} running (no live process holds ${d.lockFile}): start endit-${d.name}`;
}

function failing(d: DaemonDrainView, command: string, lastLine: string | undefined): string | undefined {
  const failures = figure(d, 'backoff_failures') ?? 0;
  if (failures === 0) return undefined;
  const wait = figure(d, 'backoff_seconds');
  const next = wait === undefined || wait <= 0 ? '' : `, next try in ${Math.round(wait)}s`;
  const where = lastLine === undefined ? (d.logFile === null ? `; see journalctl -u endit-${d.name}` : `; see ${d.logFile}`) : `; last: ${lastLine.slice(0, 300)}`;
  return `${command} failing: ${failures} failed session(s) in a row${next}${where}`;
}

function ignoredLine(count: DirCount, why: string): string[] {
  if (count.ignored === 0) return [];
  const more = count.ignored > count.ignoredNames.length ? ', ...' : '';
  return [`${count.dir}: ${count.ignored} entr${count.ignored === 1 ? 'y' : 'ies'} ${why}: ${count.ignoredNames.join(', ')}${more}; remove or move by hand`];
}

function archiverLines(view: DrainView, logs: DrainLogTails): string[] {
  const d = view.archiver;
  const lines = ignoredLine(view.out, 'not named as a pnfsid (the archiver ignores such names)');
  if (view.out.work === 0) return lines;
  const busy = figure(d, 'busyworkers') ?? 0;
  const why = d.pid === null ? notRunning(d)
    : (failing(d, 'dsmc archive', logs.archiver) ?? (busy > 0 ? `${busy} archive session(s) still running` : 'waiting for the archiver to start a session'));
  return [`${view.out.dir}: ${view.out.work} file(s) not yet on tape: ${why}`, ...lines];
}

function deleterLines(view: DrainView, logs: DrainLogTails): string[] {
  const d = view.deleter;
  const lines: string[] = [];
  if (view.trash.work > 0) lines.push(`${view.trash.dir}: ${view.trash.work} deletion(s) not yet queued: ${d.pid === null ? notRunning(d) : 'the deleter queues them in its next cycle'}`);
  lines.push(...ignoredLine(view.trash, 'not named as a pnfsid (the deleter ignores such names)'));
  if (view.queue.work > 0) {
    const held = figure(d, 'held_files') ?? 0;
    const waiting = figure(d, 'waiting_files');
    const ids = waiting === undefined ? '' : ` (${waiting} id(s))`;
    const why = d.pid === null ? notRunning(d)
      : (failing(d, 'dsmc delete archive', logs.deleter)
        ?? (held > 0 ? `${held} id(s) held back by volume-aware deletion (deleter_volumequiet): set "deleter_volumequiet": "0" in ${view.overrideFile} to send them now` : 'the deleter has not processed them yet'));
    lines.push(`${view.queue.dir}: ${view.queue.work} queue file(s)${ids} not yet deleted from tape: ${why}`);
  }
  lines.push(...ignoredLine(view.queue, 'not a queue file (*.bad: corrupt, set aside by the deleter, see its log)'));
  return lines;
}

/** What is left and why, one line per directory and cause. */
export function explainLeftovers(view: DrainView, logs: DrainLogTails = {}): string[] {
  return [...archiverLines(view, logs), ...deleterLines(view, logs)];
}

/** The progress line shown on a terminal. */
export function formatDrainProgress(view: DrainView, startMs: number, timeoutSec: number): string {
  const sessions = (d: DaemonDrainView): string => {
    if (d.pid === null) return 'not running';
    const failures = figure(d, 'backoff_failures') ?? 0;
    if (failures > 0) return `dsmc failing (${failures})`;
    const busy = figure(d, 'busyworkers') ?? 0;
    return busy > 0 ? `${busy} session(s)` : 'idle';
  };
  const elapsedSec = Math.round((view.nowMs - startMs) / 1000);
  return `out/ ${view.out.work}, trash/ ${view.trash.work}, queue ${view.queue.work} file(s); archiver ${sessions(view.archiver)}, deleter ${sessions(view.deleter)}; ${elapsedSec}s of ${timeoutSec}s`;
}
