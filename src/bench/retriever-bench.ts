/**
 * The retriever with N recall requests spread over up to 1,000 volumes:
 * sessions that hang (start-up, steady cycle CPU, memory) and sessions that
 * succeed at once (turnaround between tapes, memory, log lines).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchOptions } from './bench-args.js';
import type { Measured } from './bench-row.js';
import { longestLineBytes, startDaemon, waitFor } from './daemon-process.js';
import { measureFloor } from './floor.js';
import { seedLibrary, writeHintFile, writeRequests } from './generate.js';
import { runHang, type HangPlan, type HangSample } from './hang-run.js';
import { freshJournal, JournalTail, type JournalEvent } from './journal-tail.js';
import { note, timed } from './progress.js';
import { createPool, destroyPool, type BenchPool } from './workspace.js';

const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

/** 1,000 volumes at scale; at tiny N about ten requests a volume. */
export function retrieverVolumes(n: number): number {
  return Math.max(1, Math.min(1000, Math.floor(n / 10)));
}

/**
 * One session hangs; the work the retriever still does after it (reading
 * requests it put off) is not "steady", so it settles for up to a minute.
 */
function retrieverHangPlan(n: number, opts: BenchOptions): HangPlan {
  return { program: 'retriever', command: 'retrieve', sessions: 1, startTimeoutMs: 120_000 + n / 10, settleMaxSec: 60, cycleSec: opts.sleepSec };
}

function configure(pool: BenchPool, opts: BenchOptions): void {
  pool.writeConfig({
    sleeptime: opts.sleepSec,
    retriever_maxworkers: 1,
    retriever_hintfile: pool.hintPath,
    retriever_remountdelay: 60,
    retriever_reqlistfillwait: 60,
    retriever_reqlistfillwaitmax: 600,
    retriever_buffersize: 1,
  });
}

interface SucceedSample {
  turnaroundsSec: number[];
  sessionSec: number[];
  rssMiB: number;
  filesPerSession: number[];
}

/** For each session end, the next session start after it: seconds between them. */
export function turnarounds(events: readonly JournalEvent[]): number[] {
  const sorted = [...events].sort((a, b) => a.timeMs - b.timeMs);
  const out: number[] = [];
  sorted.forEach((event, i) => {
    if (event.event !== 'end') return;
    const next = sorted.slice(i + 1).find((e) => e.event === 'start');
    if (next !== undefined) out.push((next.timeMs - event.timeMs) / 1000);
  });
  return out;
}

async function runSucceed(pool: BenchPool, n: number, opts: BenchOptions): Promise<SucceedSample> {
  pool.writeScenario({ rules: [{ command: 'retrieve', action: 'succeed' }] });
  const journal = freshJournal(pool.journalPath);
  const run = startDaemon('retriever', pool);
  try {
    const wanted = opts.turnarounds;
    await waitFor(
      `${wanted} retrieve sessions ended and followed by another`,
      () => {
        journal.poll();
        return turnarounds(journal.events.filter((e) => e.command === 'retrieve')).length >= wanted ? true : undefined;
      },
      180_000 + n / 5,
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

export async function benchRetriever(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`retriever-${n}`, opts.tmpdir);
  try {
    const volumes = retrieverVolumes(n);
    const request = pool.sub('request');
    timed(`retriever N=${n}: ${n} requests in request/`, () => writeRequests(request, { n, fileSizeBytes: MIB, parentPid: process.pid, oldestMs: Date.now() - 2 * DAY_MS }));
    timed(`retriever N=${n}: hint file over ${volumes} volumes`, () => writeHintFile(pool.hintPath, n, volumes, MIB));
    configure(pool, opts);
    const floors: number[] = [];
    const hang: HangSample[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      floors.push(measureFloor(request));
      const s = await runHang(pool, retrieverHangPlan(n, opts), opts);
      note(`retriever N=${n} hang #${r + 1}: first session ${s.firstSec.toFixed(2)} s (floor ${floors.at(-1)?.toFixed(2)} s), settled after ${s.settleSec.toFixed(1)} s, steady cycle CPU ${s.cpuPerCycleSec.map((c) => c.toFixed(3)).join(', ')} s, peak RSS ${s.rssMiB.toFixed(0)} MiB`);
      hang.push(s);
    }
    const floor = floors.sort((a, b) => a - b)[floors.length >> 1] as number;
    const rows: Measured[] = [
      { daemon: 'retriever', n, figure: 'first session', unit: 's', samples: hang.map((s) => s.firstSec), floor },
      { daemon: 'retriever', n, figure: 'CPU to first session', unit: 's', samples: hang.map((s) => s.cpuToFirstSec), floor },
      { daemon: 'retriever', n, figure: 'steady cycle CPU', unit: 's', samples: hang.flatMap((s) => s.cpuPerCycleSec), floor },
      { daemon: 'retriever', n, figure: 'steady CPU', unit: '%', samples: hang.flatMap((s) => s.cpuPct) },
      { daemon: 'retriever', n, figure: 'peak RSS (sessions hang)', unit: 'MiB', samples: hang.map((s) => s.rssMiB) },
    ];
    timed(`retriever N=${n}: ${n} objects in the fake library`, () => seedLibrary(pool.library, pool.dir, n, MIB, volumes));
    const s = await runSucceed(pool, n, opts);
    note(`retriever N=${n} succeed: turnarounds ${s.turnaroundsSec.map((t) => t.toFixed(2)).join(', ')} s; fake sessions ${s.sessionSec.map((t) => t.toFixed(1)).join(', ')} s; ${s.filesPerSession.join(', ')} files; peak RSS ${s.rssMiB.toFixed(0)} MiB`);
    rows.push(
      { daemon: 'retriever', n, figure: 'turnaround', unit: 's', samples: s.turnaroundsSec },
      { daemon: 'retriever', n, figure: 'peak RSS (sessions succeed)', unit: 'MiB', samples: [s.rssMiB] },
      { daemon: 'retriever', n, figure: 'longest log line', unit: 'bytes', samples: [longestLineBytes(path.join(pool.logdir, 'tsmretriever.log'))] },
    );
    if (s.sessionSec.length > 0) rows.push({ daemon: 'fake-dsmc', n, figure: `retrieve session of ~${Math.round(n / volumes)} files (fake)`, unit: 's', samples: s.sessionSec });
    return rows;
  } finally {
    destroyPool(pool);
  }
}
