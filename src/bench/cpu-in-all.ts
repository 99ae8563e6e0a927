/**
 * "CPU in all" of a daemon: its own CPU and its children's, not dsmc's. Pure:
 * the inputs are /proc/<pid>/stat texts and the fake dsmc's own accounting.
 *
 * The kernel adds a child's CPU (its own and its reaped children's) to the
 * parent's cutime/cstime when the parent reaps it. So, at one moment:
 *
 *   in all = daemon (utime + stime + cutime + cstime)
 *          + every live descendant that is not dsmc (the same four)
 *          − every dsmc that has ended and been reaped (its own accounting)
 *
 * A dsmc still alive (or a zombie not yet reaped) is in nobody's cutime yet,
 * and is left out of the descendants; once reaped, its CPU is in an
 * ancestor's cutime and its own accounting takes it out again.
 */

/** The fields of /proc/<pid>/stat the bench uses; times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z, ... */
  readonly state: string;
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly cutimeTicks: number;
  readonly cstimeTicks: number;
  /** Start time after boot: with the pid, it names one process (pids are reused). */
  readonly startTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command (field 2) is in parentheses
 * and may hold spaces and parentheses itself, so fields are counted from the
 * last `)`. Undefined for text that is not such a line.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After the command: state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17, starttime 22.
  const fields = text.slice(close + 2).trim().split(' ');
  const at = (field: number): number => Number(fields[field - 3]);
  const stat: ProcStat = {
    pid,
    ppid: at(4),
    state: fields[0] ?? '',
    utimeTicks: at(14),
    stimeTicks: at(15),
    cutimeTicks: at(16),
    cstimeTicks: at(17),
    startTicks: at(22),
  };
  const numbers = [stat.pid, stat.ppid, stat.utimeTicks, stat.stimeTicks, stat.cutimeTicks, stat.cstimeTicks, stat.startTicks];
  return numbers.every((value) => Number.isInteger(value) && value >= 0) ? stat : undefined;
}

/** Every process below `rootPid` (children, their children, ...), from one scan of /proc. */
export function descendantsOf(rootPid: number, procs: readonly ProcStat[]): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const proc of procs) byParent.set(proc.ppid, [...(byParent.get(proc.ppid) ?? []), proc]);
  const found: ProcStat[] = [];
  const queue = [rootPid];
  const seen = new Set<number>(queue);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of byParent.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** What one fake dsmc process said about itself as it exited. */
export interface DsmcCpuRecord {
  readonly pid: number;
  readonly startTicks: number;
  /** Its user + system CPU, seconds (getrusage of itself). */
  readonly cpuSec: number;
}

/** Parses the accounting file (one JSON object a line); lines that are not records are skipped. */
export function parseDsmcCpuRecords(text: string): DsmcCpuRecord[] {
  const records: DsmcCpuRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const { pid, startTicks, cpuSec } = JSON.parse(line) as Partial<DsmcCpuRecord>;
      if (typeof pid === 'number' && typeof startTicks === 'number' && typeof cpuSec === 'number') records.push({ pid, startTicks, cpuSec });
    } catch {
      // a line being written
    }
  }
  return records;
}

export interface CpuInAll {
  /** The daemon process itself (utime + stime). */
  readonly ownSec: number;
  /** Its reaped children and live non-dsmc descendants, dsmc taken out. */
  readonly childrenSec: number;
  /** dsmc sessions that ended and were reaped (taken out of the children). */
  readonly dsmcSec: number;
  readonly inAllSec: number;
}

export interface CpuSnapshot {
  readonly daemon: ProcStat;
  readonly descendants: readonly ProcStat[];
  /** Pids among the descendants whose command line is dsmc's (the fake, or the shell about to become it). */
  readonly dsmcPids: ReadonlySet<number>;
  readonly records: readonly DsmcCpuRecord[];
  readonly ticksPerSec: number;
}

const allTicks = (p: ProcStat): number => p.utimeTicks + p.stimeTicks + p.cutimeTicks + p.cstimeTicks;

/** The accounting of the file comment, at the moment of the snapshot. */
export function accountCpuInAll(s: CpuSnapshot): CpuInAll {
  const key = (p: { pid: number; startTicks: number }): string => `${p.pid}/${p.startTicks}`;
  const present = new Set(s.descendants.map(key));
  const recorded = new Set(s.records.map(key));
  const reapedDsmcSec = s.records.filter((r) => !present.has(key(r))).reduce((sum, r) => sum + r.cpuSec, 0);
  // A dsmc that wrote its record but is not reaped yet is a zombie, whose command line is empty: known by its record.
  const isDsmc = (p: ProcStat): boolean => s.dsmcPids.has(p.pid) || recorded.has(key(p));
  const liveTicks = s.descendants.filter((p) => !isDsmc(p)).reduce((sum, p) => sum + allTicks(p), 0);
  const ownSec = (s.daemon.utimeTicks + s.daemon.stimeTicks) / s.ticksPerSec;
  const reapedSec = (s.daemon.cutimeTicks + s.daemon.cstimeTicks + liveTicks) / s.ticksPerSec;
  // Clock ticks truncate: never report less than nothing for the children.
  const childrenSec = Math.max(0, reapedSec - reapedDsmcSec);
  return { ownSec, childrenSec, dsmcSec: reapedDsmcSec, inAllSec: ownSec + childrenSec };
}
