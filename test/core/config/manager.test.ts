import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigManager, loadMainConfig, type ConfigLogger, type DiffScope } from '../../../src/core/config/index.js';
import { configText } from './helpers.js';

class RecordingLogger implements ConfigLogger {
  readonly lines: string[] = [];
  info(msg: string): void {
    this.lines.push(`info ${msg}`);
  }
  warn(code: string, msg: string): void {
    this.lines.push(`warn [${code}] ${msg}`);
  }
  error(code: string, msg: string): void {
    this.lines.push(`error [${code}] ${msg}`);
  }
  take(): string[] {
    return this.lines.splice(0);
  }
}

describe('ConfigManager', () => {
  let dir: string;
  let mainFile: string;
  let overrideFile: string;
  let logger: RecordingLogger;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-manager-test-'));
    mainFile = path.join(dir, 'endit.conf');
    overrideFile = path.join(dir, 'conf-override.json');
    logger = new RecordingLogger();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeMain(...extra: string[]): void {
    fs.writeFileSync(mainFile, configText(`confoverridefile: ${overrideFile}`, ...extra));
  }

  /** Write the override file with an explicit mtime, so that tests never depend on the clock. */
  function writeOverride(data: unknown, mtimeSec: number): void {
    fs.writeFileSync(overrideFile, typeof data === 'string' ? data : JSON.stringify(data));
    fs.utimesSync(overrideFile, mtimeSec, mtimeSec);
  }

  function start(scope: DiffScope = 'retriever', ...extra: string[]): ConfigManager {
    writeMain(...extra);
    return new ConfigManager(mainFile, scope, logger, loadMainConfig(mainFile), { overrideRead: { attempts: 2, delayMs: 1 } });
  }

  it('starts with the main configuration and no override file', async () => {
    const manager = start();
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(manager.current.values.retriever_maxworkers).toBe(1);
    expect(manager.current.overrideMtimeMs).toBeNull();
    expect(logger.take()).toEqual([]);
  });

  it('applies an override and logs the changes of its own scope only', async () => {
    const manager = start('retriever');
    writeOverride({ retriever_maxworkers: 4, archiver_timeout: '600', verbose: 0 }, 1000);
    expect(await manager.refreshOverride({ force: false })).toBe(true);
    expect(manager.current.values.retriever_maxworkers).toBe(4);
    expect(manager.current.values.archiver_timeout).toBe(600);
    expect(manager.current.overrideMtimeMs).toBe(1_000_000);
    expect(manager.current.sources['retriever_maxworkers']).toBe('override');
    expect(manager.main.values.retriever_maxworkers).toBe(1);
    expect(logger.take()).toEqual(['info Conf: Changed: retriever_maxworkers 1 -> 4', 'info Conf: Changed: verbose 1 -> 0']);
  });

  it('does not re-read the file while its mtime is unchanged, unless forced', async () => {
    const manager = start();
    writeOverride({ retriever_maxworkers: 4 }, 1000);
    await manager.refreshOverride({ force: false });
    logger.take();
    // Same mtime, other content: not re-read.
    writeOverride({ retriever_maxworkers: 6 }, 1000);
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(manager.current.values.retriever_maxworkers).toBe(4);
    expect(logger.take()).toEqual([]);
    // Forced (SIGHUP): re-read.
    expect(await manager.refreshOverride({ force: true })).toBe(true);
    expect(manager.current.values.retriever_maxworkers).toBe(6);
    // A new mtime: re-read.
    writeOverride({ retriever_maxworkers: 7 }, 2000);
    expect(await manager.refreshOverride({ force: false })).toBe(true);
    expect(logger.take()).toEqual([
      'info Conf: Changed: retriever_maxworkers 4 -> 6',
      'info Conf: Changed: retriever_maxworkers 6 -> 7',
    ]);
  });

  it.each([
    [{ dir: '/elsewhere' }, 'dir: cannot be overridden (only in the main file)'],
    [{ dsmc_executable: '/bin/sh' }, 'dsmc_executable: cannot be overridden (only in the main file)'],
    [{ retriever_maxworkers: 2, bogus: 1 }, 'bogus: unknown key'],
    [{ retriever_maxworkers: '' }, "retriever_maxworkers: empty value '': expected a positive integer"],
    [{ retriever_maxworkers: 2, retriever_killthreshold: 'x' }, "retriever_killthreshold: invalid value 'x': expected an integer percentage from 1 to 100"],
    [{ archiver_threshold2_usage: 100 }, "archiver_threshold2_usage: invalid value '100': expected more than archiver_threshold1_usage (500)"],
  ])('rejects the whole file %j and keeps the configuration in force', async (data, error) => {
    const manager = start();
    writeOverride({ retriever_maxworkers: 3 }, 1000);
    await manager.refreshOverride({ force: false });
    const before = manager.current;
    logger.take();
    writeOverride(data, 2000);
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(manager.current).toBe(before);
    expect(manager.current.values.retriever_maxworkers).toBe(3);
    expect(logger.take()).toEqual([
      `warn [override_rejected] Conf: override file rejected, keeping the configuration in force: ${overrideFile}: ${error}`,
    ]);
    // Not warned again every cycle for the same file.
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(logger.take()).toEqual([]);
  });

  it('warns about an unreadable file and keeps the configuration in force', async () => {
    const manager = start();
    writeOverride('{"retriever_maxworkers": ', 1000);
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(manager.current.values.retriever_maxworkers).toBe(1);
    expect(logger.take()).toEqual([
      expect.stringMatching(/^warn \[override_unreadable\] Conf: override file not loaded, keeping the configuration in force: .*cannot be loaded after 2 tries/),
    ]);
  });

  it('returns to the main configuration when the file is removed, logging each key that goes back', async () => {
    const manager = start('archiver', 'archiver_threshold2_usage: 2000');
    writeOverride({ archiver_timeout: 600, archiver_threshold2_usage: 0, retriever_maxworkers: 2 }, 1000);
    await manager.refreshOverride({ force: false });
    logger.take();
    fs.rmSync(overrideFile);
    expect(await manager.refreshOverride({ force: false })).toBe(true);
    expect(manager.current).toBe(manager.main);
    expect(manager.current.values.archiver_timeout).toBe(21600);
    expect(logger.take()).toEqual([
      `info Conf: override file ${overrideFile} removed, returning to the main configuration`,
      'info Conf: Added: archiver_threshold2_usage 2000',
      'info Conf: Changed: archiver_timeout 600 -> 21600',
    ]);
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(logger.take()).toEqual([]);
  });

  describe('reload', () => {
    it('takes reloadable changes, keeps the others with a warning, and re-applies the override', async () => {
      const manager = start('retriever');
      writeOverride({ retriever_maxworkers: 3 }, 1000);
      await manager.refreshOverride({ force: false });
      logger.take();
      writeMain('retriever_remountdelay: 60', 'dir: /other', 'retriever_maxworkers: 2', 'bogus: 1');
      expect(await manager.reload()).toBe(true);
      expect(manager.current.values.retriever_remountdelay).toBe(60);
      expect(manager.current.values.retriever_maxworkers).toBe(3);
      expect(manager.main.values.retriever_maxworkers).toBe(2);
      expect(manager.current.values.dir).toBe('/grid/pool');
      expect(logger.take()).toEqual([
        `warn [config_warning] ${mainFile}: line 8: dir set again, replacing line 3`,
        `warn [config_warning] ${mainFile}: line 10: unknown key 'bogus', skipped`,
        'warn [config_not_reloadable] Conf: dir cannot change at run time (restart needed): kept /grid/pool',
        'info Conf: Changed: retriever_remountdelay 7200 -> 60',
      ]);
    });

    it('rejects an invalid main file whole and keeps everything', async () => {
      const manager = start();
      writeOverride({ retriever_maxworkers: 3 }, 1000);
      await manager.refreshOverride({ force: false });
      const before = manager.current;
      logger.take();
      writeMain('sleeptime: abc', 'retriever_remountdelay: 60');
      expect(await manager.reload()).toBe(false);
      expect(manager.current).toBe(before);
      expect(logger.take()).toEqual([
        `error [config_invalid] Conf: new configuration rejected, keeping the running one: ${mainFile}: sleeptime: invalid value 'abc': expected a positive integer`,
      ]);
    });

    it('rejects a missing main file and keeps everything', async () => {
      const manager = start();
      const before = manager.current;
      fs.rmSync(mainFile);
      expect(await manager.reload()).toBe(false);
      expect(manager.current).toBe(before);
      expect(logger.take()).toEqual([expect.stringMatching(/^error \[config_invalid\] .*cannot read the configuration file/)]);
    });

    it('without an override file, the reloaded main file takes effect', async () => {
      const manager = start('retriever');
      writeMain('retriever_buffersize: 500');
      expect(await manager.reload()).toBe(true);
      expect(manager.current.values.retriever_buffersize).toBe(500);
      expect(logger.take()).toEqual(['info Conf: Changed: retriever_buffersize 100 -> 500']);
    });

    it('keeps an accepted override when the file has become unreadable at reload', async () => {
      const manager = start('retriever');
      writeOverride({ retriever_maxworkers: 3 }, 1000);
      await manager.refreshOverride({ force: false });
      logger.take();
      writeOverride('', 2000);
      writeMain('retriever_buffersize: 500');
      await manager.reload();
      expect(manager.current.values.retriever_maxworkers).toBe(3);
      expect(manager.current.values.retriever_buffersize).toBe(500);
    });

    it('drops an accepted override that no longer fits the new main file', async () => {
      const manager = start('archiver', 'archiver_threshold3_usage: 3000');
      writeOverride({ archiver_threshold2_usage: 2000 }, 1000);
      await manager.refreshOverride({ force: false });
      writeOverride('', 2000);
      writeMain('archiver_threshold3_usage: 1000');
      logger.take();
      await manager.reload();
      expect(manager.current.values.archiver_threshold2_usage).toBeUndefined();
      expect(manager.current.values.archiver_threshold3_usage).toBe(1000);
      expect(logger.take()).toEqual([
        expect.stringMatching(/^warn \[override_unreadable\]/),
        expect.stringMatching(/^warn \[override_rejected\] Conf: override no longer fits the configuration, dropped: .*archiver_threshold3_usage/),
        'info Conf: Removed: archiver_threshold2_usage 2000',
        'info Conf: Changed: archiver_threshold3_usage 3000 -> 1000',
      ]);
    });
  });
});
