import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHintFile, sanitizeVolumeName } from '../../src/core/hints/index.js';
import { isPnfsid } from '../../src/core/pool/index.js';
import { listObjects, readJournal } from '../../src/fake-dsmc/library.js';
import { isAlive, startCommand, waitFor } from './harness.js';

const kept: string[] = [];
afterEach(() => {
  for (const dir of kept.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The number after `label` in the summary ("flushed to tape    36 files, ..."). */
function summaryCount(out: string, label: string): number {
  const match = new RegExp(`^${label}\\s+(\\d+) `, 'm').exec(out);
  if (match === null) throw new Error(`no '${label}' line in:\n${out}`);
  return Number(match[1]);
}

function summaryText(out: string, label: string): string {
  const match = new RegExp(`^${label}\\s+(.*)$`, 'm').exec(out);
  if (match === null) throw new Error(`no '${label}' line in:\n${out}`);
  return match[1] as string;
}

/** Live processes whose command line names `root` (daemons, fake dsmc sessions). */
function processesMentioning(root: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root) && isAlive(Number(entry));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('endit demo', () => {
  it('runs the daemons against the fake library and its summary matches the library and the pool', async () => {
    const demo = startCommand('endit', ['demo', '--keep', '--seconds', '55']);
    const { code } = await demo.exited;
    const out = demo.stdout();
    const root = /^Kept (\S+) /m.exec(out)?.[1];
    if (root !== undefined) kept.push(root);
    expect(demo.stderr()).toBe('');
    expect(code).toBe(0);
    expect(root).toBeDefined();
    const dir = path.join(root as string, 'pool');
    const library = path.join(root as string, 'library');

    const flushed = summaryCount(out, 'flushed to tape');
    const recalled = summaryCount(out, 'recalled');
    const failed = summaryCount(out, 'failed with \\.err');
    const deleted = summaryCount(out, 'deleted from tape');
    expect(flushed).toBeGreaterThanOrEqual(24);
    expect(recalled).toBeGreaterThanOrEqual(6);
    expect(failed).toBe(1);
    expect(deleted).toBeGreaterThan(0);
    expect(summaryText(out, 'recalled')).toContain('(checksums verified)');

    // The library holds every flushed file except the deleted ones, each once.
    const objects = listObjects(library);
    expect(objects).toHaveLength(flushed - deleted);
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
    expect(summaryText(out, 'library now')).toBe(`${objects.length} objects on ${new Set(objects.map((o) => o.volume)).size} volumes`);
    // dCache's pool holds exactly the recalled files; the pool directory is drained.
    expect(fs.readdirSync(path.join(root as string, 'dcache-pool'))).toHaveLength(recalled);
    for (const sub of ['out', 'in', 'request', 'trash']) expect(fs.readdirSync(path.join(dir, sub)).filter((n) => isPnfsid(n) || n.endsWith('.err')), sub).toEqual([]);

    // Sessions per daemon and recall mounts per volume, from the fake dsmc's journal.
    const journal = readJournal(library);
    const starts = (command: string) => journal.filter((e) => e.event === 'start' && e.command === command);
    expect(summaryText(out, 'dsmc sessions')).toBe(
      `archiver ${starts('archive').length}, retriever ${starts('retrieve').length}, deleter ${starts('delete').length}, tapehints ${starts('query').length}`,
    );
    const hints = parseHintFile(fs.readFileSync(path.join(root as string, 'tapehints.json'), 'utf8'), 'hints');
    const mounts = new Map<string, number>();
    for (const start of starts('retrieve')) {
      const ids = start.event === 'start' ? (start.ids ?? []) : [];
      const hint = hints.get(ids[0] as string);
      const volume = hint === undefined ? 'default' : sanitizeVolumeName(hint.volid);
      mounts.set(volume, (mounts.get(volume) ?? 0) + 1);
    }
    expect(mounts.size).toBeGreaterThanOrEqual(3);
    const shownMounts = summaryText(out, 'recall mounts').split(', ').map((pair) => pair.split(' '));
    expect(new Map(shownMounts.map(([v, n]) => [v as string, Number(n)]))).toEqual(mounts);

    // Live progress, then the status table of the running daemons.
    expect(out).toMatch(/^\[\s*\d+\.\ds\] started endit-archiver \(pid \d+\), endit-retriever \(pid \d+\), endit-deleter \(pid \d+\)$/m);
    expect(out).toMatch(/dsmc retrieve started \(pid \d+\) from volume \S+/);
    expect(out).toMatch(/sending it SIGUSR1/);
    expect(out).toMatch(/^ENDIT OK - demo: fresh figures from archiver, retriever, deleter$/m);
    expect(out).toMatch(/^retriever\s+running \(\d+\)/m);
  }, 90_000);

  it('stops everything, dsmc sessions included, and removes its directory on Ctrl-C', async () => {
    const demo = startCommand('endit', ['demo']);
    await waitFor(() => /dsmc archive started/.test(demo.stdout()), 'an archive session', 30_000);
    const root = /^endit demo: .* in (\S+)$/m.exec(demo.stdout())?.[1] as string;
    const started = /started endit-archiver.*$/m.exec(demo.stdout())?.[0] ?? '';
    const pids = [...started.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    expect(fs.existsSync(root)).toBe(true);
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(130);
    expect(demo.stderr()).toMatch(/interrupted, stopping the daemons/);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(processesMentioning(root)).toEqual([]);
    expect(fs.existsSync(root)).toBe(false);
  }, 60_000);
});
