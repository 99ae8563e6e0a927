/**
 * Helpers of the coordination integration tests (issue 12): pools that
 * share one fake TSM node (one fake dsmc library, so one journal of every
 * session of the group), requests on named volumes, the journal's sessions
 * as intervals, and a sampler of the group's leases in ZooKeeper.
 */
import fs from 'node:fs';
import path from 'node:path';
import { countBudgetUse, decideLeaseKept } from '../../src/core/coordination/budget.js';
import type { BudgetLimits, SessionKind } from '../../src/core/coordination/index.js';
import { parseLeaseNodes, type LeaseNode } from '../../src/core/coordination/node-names.js';
import { ZkConnection } from '../../src/core/coordination/zk-connection.js';
import { readJournal, seedObject, type JournalEndEntry, type JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { createTestPool, pnfsid, waitFor, type DaemonProgram, type TestPool } from './harness.js';

export const FILE_BYTES = 100_000;

/** Two retrieve files (4 s) per session at 50 kB/s after a 0.5 s mount: slow enough to overlap. */
export const SLOW_TAPE = { mountDelayMs: 500, bytesPerSecond: 50_000 };

export interface GroupPool {
  readonly pool: TestPool;
  readonly name: string;
  /** The fake dsmc library all pools of the group share. */
  readonly env: Record<string, string>;
}

/** A pool of the group `group`, its fake dsmc library `library` (the group's TSM node). */
export function groupPool(name: string, zookeeper: string, group: string, library: string | null, config: Record<string, string | number> = {}): GroupPool {
  const pool = createTestPool({
    'desc-short': name,
    coordination_zookeeper: zookeeper,
    coordination_group: group,
    coordination_maxsessions: 3,
    retriever_maxworkers: 3,
    retriever_buffersize: 1,
    retriever_reqlistfillwait: 1,
    retriever_reqlistfillwaitmax: 2,
    retriever_remountdelay: 1,
    archiver_timeout: 2,
    ...config,
  }, SLOW_TAPE);
  pool.writeConfig({ retriever_hintfile: pool.hintPath });
  return { pool, name, env: { FAKE_DSMC_LIBRARY: library ?? pool.library } };
}

/** Volume of every id recalled in the test, across pools. */
export const volumeOf = new Map<string, string>();

/** Puts the files on tape and writes the pool's hint file; the requests come with writeRecalls. */
export function seedRecalls(p: GroupPool, volumes: Record<string, readonly number[]>): void {
  const hints: Record<string, unknown> = {};
  for (const [volume, numbers] of Object.entries(volumes)) {
    for (const n of numbers) {
      const id = pnfsid(n);
      volumeOf.set(id, volume);
      seedObject(p.env['FAKE_DSMC_LIBRARY'] as string, { path: p.pool.path('out', id), sizeBytes: FILE_BYTES, content: Buffer.alloc(FILE_BYTES, n % 251), volume });
      hints[id] = { volid: volume, order: String(n), size: FILE_BYTES };
    }
  }
  const file = p.pool.hintPath;
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(file, JSON.stringify({ ...previous, ...hints }));
}

/** dCache asks for these files; `ageSec` back-dates the requests. */
export function writeRecalls(p: GroupPool, numbers: readonly number[], ageSec = 0): void {
  fs.mkdirSync(p.pool.path('request'), { recursive: true });
  const timeSec = Math.floor(Date.now() / 1000) - ageSec;
  for (const n of numbers) {
    const file = p.pool.path('request', pnfsid(n));
    fs.writeFileSync(file, JSON.stringify({ file_size: FILE_BYTES, parent_pid: process.pid, time: timeSec, storage_class: 'test:tape@osm', path: `/pnfs/test/${n}`, action: 'recall' }));
    if (ageSec > 0) fs.utimesSync(file, timeSec, timeSec);
  }
}

/** Files for the archiver in out/. */
export function writeOutFiles(p: GroupPool, numbers: readonly number[]): void {
  fs.mkdirSync(p.pool.path('out'), { recursive: true });
  for (const n of numbers) fs.writeFileSync(p.pool.path('out', pnfsid(n)), Buffer.alloc(FILE_BYTES, n % 251));
}

export function readPoolStats(p: GroupPool, daemon: DaemonProgram): Record<string, number> | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(p.pool.statsdir, `${p.name}-${daemon}-stats.json`), 'utf8')) as Record<string, number>;
  } catch {
    return null;
  }
}

/** One dsmc session of the journal. */
export interface SessionInterval {
  readonly pid: number;
  readonly command: string;
  readonly startMs: number;
  /** Infinity while it runs. */
  readonly endMs: number;
  readonly volumes: readonly string[];
  /** The pool whose file list it read (from the list's paths). */
  readonly ids: readonly string[];
}

export function sessionIntervals(library: string): SessionInterval[] {
  const entries = readJournal(library);
  const ends = new Map(entries.filter((e): e is JournalEndEntry => e.event === 'end').map((e) => [e.pid, e.timeMs]));
  return entries
    .filter((e): e is JournalStartEntry => e.event === 'start' && e.command !== 'query')
    .map((e) => {
      const ids = e.ids ?? [];
      const volumes = [...new Set(ids.flatMap((id) => volumeOf.get(id) ?? []))];
      return { pid: e.pid, command: e.command, startMs: e.timeMs, endMs: ends.get(e.pid) ?? Infinity, volumes, ids };
    });
}

/** The most sessions running at one moment. Pure. */
export function maxConcurrent(intervals: readonly SessionInterval[]): number {
  const events = intervals.flatMap((i) => [
    { t: i.startMs, d: 1 },
    { t: i.endMs, d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let running = 0;
  let most = 0;
  for (const e of events) {
    running += e.d;
    most = Math.max(most, running);
  }
  return most;
}

/** dsmc sessions running at each whole second from `fromMs` to `toMs` (the most in that second). Pure. */
export function concurrencyPerSecond(intervals: readonly SessionInterval[], fromMs: number, toMs: number): number[] {
  const seconds: number[] = [];
  for (let t = fromMs; t < toMs; t += 1000) {
    const inSecond = intervals.filter((i) => i.startMs < t + 1000 && i.endMs > t);
    seconds.push(maxConcurrent(inSecond.map((i) => ({ ...i, startMs: Math.max(i.startMs, t), endMs: Math.min(i.endMs, t + 1000) }))));
  }
  return seconds;
}

/** Pairs of sessions that read the same volume at the same time. Pure. */
export function volumeOverlaps(intervals: readonly SessionInterval[]): string[] {
  const found: string[] = [];
  intervals.forEach((a, i) => {
    for (const b of intervals.slice(i + 1)) {
      const shared = a.volumes.filter((v) => b.volumes.includes(v));
      if (shared.length > 0 && a.startMs < b.endMs && b.startMs < a.endMs) found.push(`${shared.join(',')}: pids ${a.pid} and ${b.pid}`);
    }
  });
  return found;
}

/**
 * The leases of a listing that are held or will be kept: each counts every
 * lease ahead of it, as its holder does; a racer's node over the budget,
 * there for the moment before its holder removes it, is left out (its
 * session never starts). A lease kept at its holder's check passes here
 * too: the leases ahead of it can only have become fewer. Pure.
 */
export function keptLeases(leases: readonly LeaseNode[], limits: BudgetLimits): SessionKind[] {
  const kept: SessionKind[] = [];
  leases.forEach((lease, index) => {
    if (decideLeaseKept(lease.kind, countBudgetUse(leases.slice(0, index).map((l) => l.kind)), limits)) kept.push(lease.kind);
  });
  return kept;
}

/** Reads the group's leases in ZooKeeper every 100 ms, as an outside observer. */
export class LeaseSampler {
  readonly samples: { readonly atMs: number; readonly total: number; readonly recalls: number }[] = [];
  private readonly conn: ZkConnection;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    connectString: string,
    private readonly sessionsPath: string,
    private readonly limits: BudgetLimits,
  ) {
    this.conn = new ZkConnection(connectString, 10_000, () => undefined);
  }

  async start(): Promise<void> {
    this.conn.connect();
    await waitFor(() => this.conn.connected, 'sampler connected', 60_000);
    const tick = async (): Promise<void> => {
      try {
        const kept = keptLeases(parseLeaseNodes(await this.conn.children(this.sessionsPath)), this.limits);
        this.samples.push({ atMs: Date.now(), total: kept.length, recalls: kept.filter((kind) => kind !== 'archive').length });
      } catch {
        // ZooKeeper stopped or the group not made yet
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), 100);
    };
    await tick();
  }

  get maxTotal(): number {
    return Math.max(0, ...this.samples.map((s) => s.total));
  }

  get maxRecalls(): number {
    return Math.max(0, ...this.samples.map((s) => s.recalls));
  }

  /** Sessions in use per second of the run: the highest sample in each second. */
  perSecond(fromMs: number): number[] {
    const seconds: number[] = [];
    for (const s of this.samples) {
      const index = Math.floor((s.atMs - fromMs) / 1000);
      if (index >= 0) seconds[index] = Math.max(seconds[index] ?? 0, s.total);
    }
    return Array.from(seconds, (n) => n ?? 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.conn.close(1000);
  }
}
