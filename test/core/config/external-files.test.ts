/**
 * Fault 12: files others write (the main file, the override file) are opened
 * non-blocking, must be regular files and are read up to 1 MiB: a FIFO there
 * never blocks the daemon, a huge file is never read whole.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigManager, loadMainConfig, readMainConfig, readOverrideFile, type ConfigLogger } from '../../../src/core/config/index.js';
import { readRegularFileSync } from '../../../src/core/regular-file.js';
import { configText } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-external-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function fifo(name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

function recorder(): ConfigLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => lines.push(`info ${msg}`),
    warn: (code, msg) => lines.push(`warn [${code}] ${msg}`),
    error: (code, msg) => lines.push(`error [${code}] ${msg}`),
  };
}

describe('fault 12: external files that are not regular files', () => {
  it('a FIFO as the override file is refused at once, naming the file', { timeout: 5000 }, async () => {
    const file = fifo('conf-override.json');
    expect(await readOverrideFile(file)).toEqual({ kind: 'unreadable', error: `${file}: not a regular file but a fifo` });
  });

  it('a FIFO as the override file leaves the daemon running with its configuration', { timeout: 5000 }, async () => {
    const main = path.join(dir, 'endit.conf');
    const override = fifo('conf-override.json');
    fs.writeFileSync(main, configText(`confoverridefile: ${override}`));
    const logger = recorder();
    const manager = new ConfigManager(main, 'archiver', logger, loadMainConfig(main));
    expect(await manager.refreshOverride({ force: false })).toBe(false);
    expect(logger.lines).toEqual([
      `warn [override_unreadable] Conf: override file not loaded, keeping the configuration in force: ${override}: not a regular file but a fifo`,
    ]);
  });

  it('an override file over 1 MiB is refused, not read whole', async () => {
    const file = path.join(dir, 'conf-override.json');
    fs.writeFileSync(file, `{"verbose": 1, "x": "${'y'.repeat(2 << 20)}"}`);
    expect(await readOverrideFile(file)).toEqual({ kind: 'unreadable', error: `${file}: larger than 1.0 MiB` });
  });

  it('a FIFO as the main file is a one-line error at start, naming the file', { timeout: 5000 }, () => {
    const file = fifo('endit.conf');
    expect(() => readMainConfig(file)).toThrow(new ConfigError(`${file}: cannot read the configuration file (not a regular file but a fifo)`));
    expect(() => loadMainConfig(file, { sampleDir: dir })).toThrow(`${file}: cannot read the configuration file (not a regular file but a fifo); a sample`);
  });

  it('a FIFO put in place of the main file is rejected on SIGHUP; the running configuration stays', { timeout: 5000 }, async () => {
    const main = path.join(dir, 'endit.conf');
    fs.writeFileSync(main, configText(`confoverridefile: ${path.join(dir, 'none.json')}`, 'sleeptime: 7'));
    const logger = recorder();
    const manager = new ConfigManager(main, 'archiver', logger, loadMainConfig(main));
    fs.rmSync(main);
    execFileSync('mkfifo', [main]);
    expect(await manager.reload()).toBe(false);
    expect(manager.current.values.sleeptime).toBe(7);
    expect(logger.lines).toEqual([
      `error [config_invalid] Conf: new configuration rejected, keeping the running one: ${main}: cannot read the configuration file (not a regular file but a fifo)`,
    ]);
  });

  it('reads a regular file through a symlink (an administrator may link the configuration) unless told not to', () => {
    const target = path.join(dir, 'real.conf');
    const link = path.join(dir, 'link.conf');
    fs.writeFileSync(target, 'text');
    fs.symlinkSync(target, link);
    expect(readRegularFileSync(link)).toBe('text');
    expect(() => readRegularFileSync(link, { noFollow: true })).toThrow(/ELOOP/);
  });

  it('reads files larger than one read chunk', () => {
    const file = path.join(dir, 'big.conf');
    const text = 'é'.repeat(100_000);
    fs.writeFileSync(file, text);
    expect(readRegularFileSync(file)).toBe(text);
  });
});
