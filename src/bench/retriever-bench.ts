/**
 * The retriever with N recall requests spread over 1,000 volumes (10,000 at
 * 10M, issue 15):
 * sessions that hang (start-up, steady cycle CPU, memory) and sessions that
 * succeed at once (turnaround between tapes, memory, log lines).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchOptions } from './bench-args.js';
import { signalRows, spreadOf, type Measured } from './bench-row.js';
import { longestLineBytes, startDaemon, waitFor } from './daemon-process.js';
import { measureFloor } from './floor.js';
import { seedLibrary, writeHintFile, writeRequests, type RequestSpec } from './generate.js';
import { runHang, type HangPlan, type HangSample } from './hang-run.js';
import { alternation, implementationsOf, perlOf, programLabel, scaledTimeoutMs, type Implementation, type ImplName } from './implementation.js';
import { freshJournal, type JournalEvent } from './journal-tail.js';
import { note, timed } from './progress.js';
import { dirReadingWatch, signalRuns } from './signal-run.js';
import { createPool, destroyPool, emptyDir, type BenchPool } from './workspace.js';

const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

/** 1,000 volumes up to 1M, then 1,000 requests a volume; at tiny N about ten requests a volume. */
export function retrieverVolumes(n: number): number {
  return Math.max(1, Math.min(Math.max(1000, Math.floor(n / 1000)), Math.floor(n / 10)));
}

/**
 * One session hangs; the work the retriever still does after it (reading
 * the requests it put off, 20,000 a cycle) is not "steady": settling waits
 * until its stats count no unread request (a million take 50 cycles), for
 * up to ten minutes.
 */
function retrieverHangPlan(n: number, opts: BenchOptions): HangPlan {
  // 20,000: the retriever's BACKGROUND_READS_PER_CYCLE (the bench measures from outside, importing no daemon code).
  const settleMaxSec = Math.min(600, 60 + Math.ceil(n / 20_000) * opts.sleepSec * 2);
  return { program: 'retriever', command: 'retrieve', sessions: 1, startTimeoutMs: 120_000 + n / 10, settleMaxSec, cycleSec: opts.sleepSec, backlogFigure: 'retriever_requests_unread_files' };
}

/** `fillWaitMaxSec`: 600 for the bench runs; the signal runs make it long enough that no volume is ready without SIGUSR1. */
function configure(pool: BenchPool, opts: BenchOptions, fillWaitMaxSec = 600): void {
  pool.writeConfig({
    sleeptime: opts.sleepSec,
    retriever_maxworkers: 1,
    retriever_hintfile: pool.hintPath,
    retriever_remountdelay: 60,
    retriever_reqlistfillwait: 60,
    retriever_reqlistfillwaitmax: fillWaitMaxSec,
    retriever_buffersize: 1,
  });
}

/** The requests are two days old: with a 30-day fill-wait maximum every list waits for company (under a mount's worth) until SIGUSR1. */
const SIGNAL_FILL_WAIT_MAX_SEC = 30 * 86_400;

interface SucceedSample {
  turnaroundsSec: number[];
  sessionSec: number[];
  rssMiB: number;
  filesPerSession: number[];
}

/**
 * When an event happened as the daemon sees it: a session starts when its
 * dsmc process is started (the fake's own start-up, 0.2-0.3 s of loading
 * code, is dsmc's time, not the daemon's; a real dsmc takes a second or two
 * to reach its server anyway). Journals of older fakes have no spawnedMs.
 */
function daemonTimeMs(event: JournalEvent): number {
  return event.event === 'start' ? (event.spawnedMs ?? event.timeMs) : event.timeMs;
}

/** For each session end, the next session started after it: seconds between them (the daemon's turnaround). */
export function turnarounds(events: readonly JournalEvent[]): number[] {
  const sorted = [...events].sort((a, b) => daemonTimeMs(a) - daemonTimeMs(b));
  const out: number[] = [];
  sorted.forEach((event, i) => {
    if (event.event !== 'end') return;
    const next = sorted.slice(i + 1).find((e) => e.event === 'start');
    if (next !== undefined) out.push((daemonTimeMs(next) - event.timeMs) / 1000);
  });
  return out;
}

/** request/ full again, in/ and requestlists/ empty: the previous "sessions succeed" run recalled some files. */
function refillRequests(pool: BenchPool, spec: RequestSpec): void {
  emptyDir(pool.sub('in'));
  emptyDir(pool.sub('requestlists'));
  const written = writeRequests(pool.sub('request'), spec, true);
  if (written > 0) note(`retriever N=${spec.n}: ${written} requests written again`);
}

async function runSucceed(pool: BenchPool, spec: RequestSpec, opts: BenchOptions, impl: Implementation): Promise<SucceedSample> {
  refillRequests(pool, spec);
  pool.writeScenario({ rules: [{ command: 'retrieve', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const run = startDaemon('retriever', pool, impl);
  try {
    const wanted = opts.turnarounds;
    await waitFor(
      `${wanted} retrieve sessions ended and followed by another`,
      () => {
        journal.poll();
        return turnarounds(journal.events.filter((e) => e.command === 'retrieve')).length >= wanted ? true : undefined;
      },
      scaledTimeoutMs(impl, 180_000 + spec.n / 5),
      20,
      run,
    );
    const events = journal.events.filter((e) => e.command === 'retrieve');
    const starts = events.filter((e) => e.event === 'start');
    const sessionSec = starts.flatMap((s) => {
      const end = events.find((e) => e.event === 'end' && e.pid === s.pid);
      return end === undefined ? [] : [(end.timeMs - s.timeMs) / 1000];
    });
    return {
      turnaroundsSec: turnarounds(events).slice(0, wanted),
      sessionSec,
      rssMiB: run.peakRssMiB(),
      filesPerSession: starts.map((s) => s.listLength ?? 0),
    };
  } finally {
    await run.stop();
  }
}

function hangRows(impl: Implementation, n: number, hang: readonly HangSample[], floor: number): Measured[] {
  const m = { impl: impl.name, daemon: 'retriever', n };
  return [
    { ...m, figure: 'first session', unit: 's', samples: hang.map((s) => s.firstSec), floor },
    { ...m, figure: 'CPU to first session', unit: 's', samples: hang.map((s) => s.cpuToFirstSec), floor },
    { ...m, figure: 'steady cycle CPU', unit: 's', samples: hang.flatMap((s) => s.cpuPerCycleSec), floor },
    { ...m, figure: 'steady CPU', unit: '%', samples: hang.flatMap((s) => s.cpuPct) },
    { ...m, figure: 'peak RSS (sessions hang)', unit: 'MiB', samples: hang.map((s) => s.rssMiB) },
  ];
}

function succeedRows(impl: Implementation, pool: BenchPool, n: number, s: SucceedSample): Measured[] {
  const m = { impl: impl.name, daemon: 'retriever', n };
  const rows: Measured[] = [
    { ...m, figure: 'turnaround', unit: 's', samples: s.turnaroundsSec },
    { ...m, figure: 'peak RSS (sessions succeed)', unit: 'MiB', samples: [s.rssMiB] },
    { ...m, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.side(impl.name).logdir, 'tsmretriever.log'))] },
  ];
  if (impl.name === 'endit' && s.sessionSec.length > 0) rows.push({ daemon: 'fake-dsmc', n, figure: `retrieve session of ~${Math.round(n / retrieverVolumes(n))} files (fake)`, unit: 's', samples: s.sessionSec });
  return rows;
}

/** The hang runs, endit and Perl in turn; the floor before each endit run. */
async function hangRuns(pool: BenchPool, n: number, opts: BenchOptions): Promise<{ floor: number; hang: Record<ImplName, HangSample[]> }> {
  const floors: number[] = [];
  const hang: Record<ImplName, HangSample[]> = { endit: [], perl: [] };
  for (const { impl, repeat } of alternation(implementationsOf(opts.againstPerl), opts.repeats)) {
    if (impl.name === 'endit') floors.push(measureFloor(pool.sub('request')));
    const s = await runHang(pool, retrieverHangPlan(n, opts), opts, impl);
    note(`${programLabel(impl, 'retriever')} N=${n} hang #${repeat + 1}: first session ${s.firstSec.toFixed(2)} s (floor ${floors.at(-1)?.toFixed(2)} s), CPU to it ${s.cpuToFirstSec.toFixed(2)} s, settled after ${s.settleSec.toFixed(1)} s, steady cycle CPU ${s.cpuPerCycleSec.map((c) => c.toFixed(3)).join(', ')} s, peak RSS ${s.rssMiB.toFixed(0)} MiB`);
    hang[impl.name].push(s);
  }
  return { floor: spreadOf(floors).median, hang };
}

/**
 * Issue 15 item 4: signals while the retriever lists request/ (signal-run.ts),
 * its sessions hanging. Its whole hint file is loaded, as at a site; the
 * session SIGUSR1 asks for waits for that load (see readers-responsive.test.ts).
 */
async function signalFigures(pool: BenchPool, n: number, opts: BenchOptions): Promise<Measured[]> {
  configure(pool, opts, SIGNAL_FILL_WAIT_MAX_SEC);
  pool.writeScenario({ rules: [{ command: 'retrieve', action: 'hang' }] });
  emptyDir(pool.sub('requestlists'));
  const watch = dirReadingWatch('retriever', pool.sub('request'), n, { usr1Line: /Starting retrieve session for volume .*\(SIGUSR1\)/ });
  try {
    return signalRows('retriever', n, await signalRuns(pool, n, watch, perlOf(opts)));
  } finally {
    configure(pool, opts);
  }
}

export async function benchRetriever(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`retriever-${n}`, opts.tmpdir);
  try {
    const volumes = retrieverVolumes(n);
    const spec: RequestSpec = { n, fileSizeBytes: MIB, parentPid: process.pid, oldestMs: Date.now() - 2 * DAY_MS };
    timed(`retriever N=${n}: ${n} requests in request/`, () => writeRequests(pool.sub('request'), spec));
    timed(`retriever N=${n}: hint file over ${volumes} volumes`, () => writeHintFile(pool.hintPath, n, volumes, MIB));
    configure(pool, opts);
    const impls = implementationsOf(opts.againstPerl);
    const { floor, hang } = await hangRuns(pool, n, opts);
    const rows = impls.flatMap((impl) => hangRows(impl, n, hang[impl.name], floor));
    rows.push(...(await signalFigures(pool, n, opts)));
    timed(`retriever N=${n}: ${n} objects in the fake library`, () => seedLibrary(pool.library, pool.dir, n, MIB, volumes));
    for (const impl of impls) {
      const s = await runSucceed(pool, spec, opts, impl);
      note(`${programLabel(impl, 'retriever')} N=${n} succeed: turnarounds ${s.turnaroundsSec.map((t) => t.toFixed(2)).join(', ')} s; fake sessions ${s.sessionSec.map((t) => t.toFixed(1)).join(', ')} s; ${s.filesPerSession.join(', ')} files; peak RSS ${s.rssMiB.toFixed(0)} MiB`);
      rows.push(...succeedRows(impl, pool, n, s));
    }
    return rows;
  } finally {
    destroyPool(pool);
  }
}
