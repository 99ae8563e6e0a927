import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { archiverFigures } from '../../src/archiver/figures.js';
import { deleterFigures } from '../../src/deleter/figures.js';
import { retrieverFigures } from '../../src/retriever/figures.js';
import { scanRecallRequests } from '../../src/cli/request-scan.js';
import { BACKOFF_FIGURES, FIGURE_NAMES } from '../../src/cli/status-daemon.js';
import { DETAIL_FIGURES } from '../../src/cli/status-report.js';
import { createFixture, deadPid, endit, hexId } from './helpers.js';

const NOW_SEC = 1_700_000_000;
const NOW_MS = NOW_SEC * 1000;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

function archiverStats(timeSec: number, extra: Record<string, number> = {}): Record<string, number> {
  return {
    archiver_time: timeSec,
    archiver_starttime: timeSec - 3600,
    archiver_pending_files: 12,
    archiver_pending_bytes: 3 * GIB,
    archiver_working_files: 4,
    archiver_working_bytes: 512 * MIB,
    archiver_usage_files: 16,
    archiver_usage_bytes: 3.5 * GIB,
    archiver_busyworkers: 1,
    archiver_maxworkers: 2,
    archiver_backoff_failures: 0,
    archiver_backoff_seconds: 0,
    archiver_flushed_files: 100,
    archiver_flushed_bytes: 40 * GIB,
    archiver_flush_retries: 0,
    archiver_errors: 0,
    archiver_info: 1,
    ...extra,
  };
}

function retrieverStats(timeSec: number, extra: Record<string, number> = {}): Record<string, number> {
  return {
    retriever_time: timeSec,
    retriever_starttime: timeSec - 60,
    retriever_requests_files: 3,
    retriever_requests_bytes: 30 * MIB,
    retriever_working_files: 1,
    retriever_working_bytes: 10 * MIB,
    retriever_busyworkers: 1,
    retriever_maxworkers: 3,
    retriever_in_avail_bytes: 80 * GIB,
    retriever_reserved_bytes: 10 * MIB,
    retriever_backoffstate: 1,
    retriever_backoff_volumes: 0,
    retriever_staged_files: 5,
    retriever_staged_bytes: 50 * MIB,
    retriever_failed_files: 1,
    retriever_errors: 3,
    retriever_errors_dsmc_failed: 2,
    retriever_errors_request_unreadable: 1,
    ...extra,
  };
}

function deleterStats(timeSec: number): Record<string, number> {
  return {
    deleter_time: timeSec,
    deleter_starttime: timeSec - 60,
    deleter_waiting_files: 7,
    deleter_held_files: 0,
    deleter_queue_files: 2,
    deleter_deleted_files: 40,
    deleter_busyworkers: 0,
    deleter_backoff_failures: 0,
    deleter_lastrun_time: 0,
    deleter_lastrun_success: 0,
    deleter_nextrun_time: timeSec + 3 * 3600,
    deleter_errors: 0,
  };
}

async function status(config: string, extra: string[] = [], env: Record<string, string> = {}, processStartSec: Record<number, number> = {}) {
  return endit(['status', '--config', config, ...extra], { nowMs: NOW_MS, env, processStartSec });
}

describe('endit status', () => {
  it('reports a running daemon with fresh figures and exits 0', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC - 5));
    f.writeLock('archiver', process.pid);
    const { code, out } = await status(f.config);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('ENDIT OK - pool7: fresh figures from archiver');
    const row = out.split('\n').find((line) => line.startsWith('archiver '));
    expect(row).toContain(`running (${process.pid})`);
    expect(row).toContain('12 files, 3.0 GiB');
    expect(row).toContain('4 files, 512.0 MiB');
    expect(row).toContain('1/2');
    expect(row).toMatch(/\b5s\b/);
    expect(out).toMatch(/^retriever\s+not running\s+-/m);
    expect(out).toContain('flushed since start 100 files, 40.0 GiB');
  });

  it('flags figures older than 3 x sleeptime as STALE and exits 1', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC - 31));
    f.writeStats('deleter', deleterStats(NOW_SEC - 2));
    f.writeLock('archiver', process.pid);
    f.writeLock('deleter', process.pid);
    const { code, out } = await status(f.config);
    expect(code).toBe(1);
    expect(out.split('\n')[0]).toMatch(/^ENDIT PROBLEM - pool7: archiver STALE/);
    expect(out).toMatch(new RegExp(`^archiver\\s+running \\(${process.pid}\\)\\s+31s STALE`, 'm'));
    expect(out).not.toMatch(/^deleter .*STALE/m);
    const json = JSON.parse((await status(f.config, ['--json'])).out);
    expect(json.ok).toBe(false);
    expect(json.exitCode).toBe(1);
    expect(json.daemons.find((d: { name: string }) => d.name === 'archiver')).toMatchObject({ health: 'stale', ageSec: 31, staleAfterSec: 30 });
    expect(json.daemons.find((d: { name: string }) => d.name === 'deleter')).toMatchObject({ health: 'ok', ageSec: 2 });
  });

  it('is fresh at exactly 3 x sleeptime and stale one second later', async () => {
    const f = createFixture({ sleeptime: 1 });
    f.writeLock('archiver', process.pid);
    f.writeStats('archiver', archiverStats(NOW_SEC - 3));
    expect((await status(f.config)).code).toBe(0);
    f.writeStats('archiver', archiverStats(NOW_SEC - 4));
    expect((await status(f.config)).code).toBe(1);
  });

  it('fault 6: a daemon whose process is gone is DOWN at once, though its figures are fresh; a live lock without stats is MISSING', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC - 1));
    f.writeLock('archiver', deadPid());
    f.writeLock('deleter', process.pid);
    const { code, out } = await status(f.config);
    expect(code).toBe(1);
    expect(out.split('\n')[0]).toBe('ENDIT PROBLEM - pool7: archiver DOWN (not running: no live process holds its lock; its last figures are 1s old); '
      + `deleter MISSING (running but no stats file ${f.statsdir}/pool7-deleter-stats.json)`);
    expect(out).toMatch(/^archiver\s+DOWN\s+1s/m);
    expect(out).toMatch(new RegExp(`^deleter\\s+running \\(${process.pid}\\)\\s+MISSING`, 'm'));
    expect(out).toMatch(/^retriever\s+not running\s+-/m);
    const json = JSON.parse((await status(f.config, ['--json'])).out);
    expect(json.daemons[0]).toMatchObject({ name: 'archiver', running: false, health: 'down' });
  });

  it('fault 6: a daemon without a lock file at all is DOWN too', async () => {
    const f = createFixture();
    f.writeStats('deleter', deleterStats(NOW_SEC));
    const { code, out } = await status(f.config);
    expect(code).toBe(1);
    expect(out).toMatch(/^deleter\s+DOWN\s+0s/m);
  });

  it('fault 6: --expect: a daemon left out is disabled on purpose, not a problem; one named that never ran is DOWN', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC - 1));
    f.writeLock('archiver', process.pid);
    f.writeStats('deleter', deleterStats(NOW_SEC - 600));
    const ok = await status(f.config, ['--expect', 'archiver']);
    expect(ok.out.split('\n')[0]).toBe('ENDIT OK - pool7: fresh figures from archiver');
    expect(ok.out).toMatch(/^deleter\s+disabled\s+10m00s/m);
    expect(ok.out).toMatch(/^retriever\s+disabled\s+-/m);
    expect(ok.code).toBe(0);
    const down = await status(f.config, ['--expect', 'archiver,retriever']);
    expect(down.code).toBe(1);
    expect(down.out.split('\n')[0]).toBe('ENDIT PROBLEM - pool7: retriever DOWN (not running: expected to run, but it never ran on this pool)');
    const bad = await status(f.config, ['--expect', 'archiver,tapehints']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^endit: --expect: 'tapehints' is not one of archiver, retriever, deleter\n/);
  });

  it('fault 6: asks systemctl is-enabled: a disabled unit is not a problem, an enabled one that does not run is DOWN', async () => {
    const f = createFixture();
    const bin = `${f.root}/bin`;
    fs.mkdirSync(bin);
    // A stand-in systemctl that logs its arguments and answers per unit.
    fs.writeFileSync(`${bin}/systemctl`, [
      '#!/bin/sh',
      `echo "$*" >> ${f.root}/systemctl.log`,
      'case "$2" in',
      '  endit-archiver.service) echo enabled ;;',
      '  endit-deleter.service) echo disabled ;;',
      '  *) echo "Failed to get unit file state for $2: No such file or directory" >&2; exit 1 ;;',
      'esac',
    ].join('\n'), { mode: 0o755 });
    f.writeStats('deleter', deleterStats(NOW_SEC - 600));
    f.writeStats('retriever', retrieverStats(NOW_SEC - 1));
    f.writeLock('retriever', process.pid);
    const { code, out } = await status(f.config, [], { PATH: bin });
    expect(out.split('\n')[0]).toBe('ENDIT PROBLEM - pool7: archiver DOWN (not running: expected to run, but it never ran on this pool)');
    expect(out).toMatch(/^deleter\s+disabled/m);
    expect(code).toBe(1);
    expect(fs.readFileSync(`${f.root}/systemctl.log`, 'utf8').split('\n').filter((l) => l !== '').sort()).toEqual([
      'is-enabled endit-archiver.service',
      'is-enabled endit-deleter.service',
      'is-enabled endit-retriever.service',
    ]);
  });

  it('is not DOWN while a restarted daemon has not written its figures yet (starting), and MISSING after 3 x sleeptime', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC - 20, { archiver_starttime: NOW_SEC - 3600 }));
    f.writeLock('archiver', process.pid);
    const starting = await status(f.config, [], {}, { [process.pid]: NOW_SEC - 5 });
    expect(starting.out.split('\n')[0]).toBe('ENDIT OK - pool7: archiver starting');
    expect(starting.out).toMatch(/^archiver\s+running \(\d+\)\s+starting/m);
    expect(starting.code).toBe(0);
    fs.rmSync(`${f.statsdir}/pool7-archiver-stats.json`);
    expect((await status(f.config, [], {}, { [process.pid]: NOW_SEC - 5 })).code).toBe(0);
    const late = await status(f.config, [], {}, { [process.pid]: NOW_SEC - 31 });
    expect(late.code).toBe(1);
    expect(late.out).toMatch(/archiver MISSING \(running but no stats file/);
  });

  it('exits 1 when no daemon ever ran on the pool, 2 when the configuration cannot be read', async () => {
    const f = createFixture();
    const none = await status(f.config);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/no daemon runs on this pool \(no stats files, no running daemon\)/);
    const broken = await endit(['status', '--config', `${f.root}/missing.conf`], { nowMs: NOW_MS });
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/missing\.conf: cannot read the configuration file/);
    f.writeConfig({ sleeptime: 'soon' });
    const invalid = await status(f.config);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/endit\.conf.*sleeptime.*soon/);
  });

  it('counts an unparsable stats file as missing', async () => {
    const f = createFixture();
    f.writeStats('archiver', archiverStats(NOW_SEC));
    f.writeStats('retriever', {} as Record<string, number>);
    f.writeLock('archiver', process.pid);
    f.writeLock('retriever', process.pid);
    const { code, out } = await status(f.config);
    expect(code).toBe(1);
    expect(out).toMatch(/retriever STALE \(.*has no retriever_time/);
  });

  it('shows the retriever space state, errors by code and recall requests per volume', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: f.hintfile });
    f.writeStats('retriever', retrieverStats(NOW_SEC));
    f.writeLock('retriever', process.pid);
    f.writeHints({
      [hexId(1)]: { volid: 'VOL001', order: '1', size: 10 * MIB },
      [hexId(2)]: { volid: 'VOL001', order: '2', size: 20 * MIB },
      [hexId(3)]: { volid: 'VOL002', order: '1', size: 5 * MIB },
    });
    const recall = (size: number) => ({ file_size: size, parent_pid: process.pid, time: NOW_SEC, action: 'recall', path: '/x' });
    f.writeRequest(hexId(1), recall(10 * MIB));
    f.writeRequest(hexId(2), recall(20 * MIB));
    f.writeRequest(hexId(3), recall(5 * MIB));
    f.writeRequest(hexId(9), recall(1 * MIB));
    f.writeRequest(hexId(10), { file_size: 99 * GIB, action: 'migrate', path: '/y' });
    const { code, out } = await status(f.config);
    expect(code).toBe(0);
    expect(out).toMatch(/^retriever\s+running \(\d+\)\s+0s\s+3 files, 30\.0 MiB\s+1 file, 10\.0 MiB\s+1\/3\s+BACKLOG\s+3 \(dsmc_failed 2, request_unreadable 1\)/m);
    expect(out).toContain('in/ space BACKLOG, 80.0 GiB free, 10.0 MiB reserved');
    const table = out.slice(out.indexOf('Recall requests per volume'));
    const rows = table.split('\n').slice(2, 5).map((line) => line.split(/\s+/).slice(0, 4).join(' '));
    expect(rows).toEqual(['VOL001 2 30.0 MiB', 'VOL002 1 5.0 MiB', 'default 1 1.0 MiB']);
    const json = JSON.parse((await status(f.config, ['--json'])).out);
    expect(json.retriever.spaceState).toBe('BACKLOG');
    expect(json.retriever.volumes.map((v: { volume: string; files: number; bytes: number }) => [v.volume, v.files, v.bytes])).toEqual([
      ['VOL001', 2, 30 * MIB],
      ['VOL002', 1, 5 * MIB],
      ['default', 1, 1 * MIB],
    ]);
  });

  it('takes $ENDIT_RETRIEVER_HINTFILE over retriever_hintfile', async () => {
    const f = createFixture();
    f.writeConfig({ retriever_hintfile: `${f.root}/nonexistent.json` });
    f.writeStats('retriever', retrieverStats(NOW_SEC));
    f.writeHints({ [hexId(1)]: { volid: 'ENVVOL', order: '1', size: 1 } });
    f.writeRequest(hexId(1), { file_size: 1, parent_pid: process.pid, action: 'recall' });
    const json = JSON.parse((await status(f.config, ['--json'], { ENDIT_RETRIEVER_HINTFILE: f.hintfile })).out);
    expect(json.retriever.volumes[0].volume).toBe('ENVVOL');
    const fallback = JSON.parse((await status(f.config, ['--json'])).out);
    expect(fallback.retriever.volumes[0].volume).toBe('default');
    expect(fallback.retriever.volumesNote).toMatch(/nonexistent\.json: cannot read the hint file/);
  });

  it('shows the deleter queue and next run', async () => {
    const f = createFixture();
    f.writeStats('deleter', deleterStats(NOW_SEC));
    f.writeLock('deleter', process.pid);
    const { code, out } = await status(f.config);
    expect(code).toBe(0);
    expect(out).toMatch(/^deleter\s+running \(\d+\)\s+0s\s+7 files\s+-\s+0\/1\s+none\s+0$/m);
    expect(out).toMatch(/Deleter: 7 ids queued in 2 queue files; next run \S+ \S+ \(in 3h00m\); no run yet; 40 deleted since start/);
  });

  it('skips reading request files above the limit', () => {
    const f = createFixture();
    for (let i = 1; i <= 5; i++) f.writeRequest(hexId(i), { file_size: 1, action: 'recall' });
    expect(scanRecallRequests(`${f.dir}/request`, 4)).toMatchObject({ names: 5, overLimit: true, recalls: [] });
    expect(scanRecallRequests(`${f.dir}/request`, 5).recalls).toHaveLength(5);
  });

  it('reads only figure names the daemons publish', () => {
    const published = new Set([...archiverFigures, ...retrieverFigures, ...deleterFigures].map((spec) => spec.name));
    const used = [
      ...Object.values(FIGURE_NAMES).flatMap((names) => Object.values(names)),
      ...Object.values(BACKOFF_FIGURES),
      ...Object.values(DETAIL_FIGURES).flatMap((names) => Object.values(names)),
    ].filter((name) => name !== undefined);
    expect(used.length).toBeGreaterThan(20);
    for (const name of used) expect(published, name).toContain(name);
  });
});
