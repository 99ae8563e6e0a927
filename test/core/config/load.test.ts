import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigMissingError,
  loadMainConfig,
  parseMainConfig,
  readMainConfig,
  resolveConfigPath,
} from '../../../src/core/config/index.js';
import { configText } from './helpers.js';

describe('resolveConfigPath', () => {
  it.each([
    [[], {}, '/etc/endit/endit.conf'],
    [[], { ENDIT_CONFIG: '' }, '/etc/endit/endit.conf'],
    [[], { ENDIT_CONFIG: '/env/endit.conf' }, '/env/endit.conf'],
    [['--config', '/arg/endit.conf'], { ENDIT_CONFIG: '/env/endit.conf' }, '/arg/endit.conf'],
    [['--config=/arg/endit.conf'], { ENDIT_CONFIG: '/env/endit.conf' }, '/arg/endit.conf'],
    [['status', '--json', '--config', 'rel.conf'], {}, 'rel.conf'],
  ])('%j with %j → %s', (argv, env, expected) => {
    expect(resolveConfigPath(argv, env)).toBe(expected);
  });

  it.each([[['--config']], [['--config=']]])('rejects %j without a path', (argv) => {
    expect(() => resolveConfigPath(argv, {})).toThrow(ConfigError);
  });
});

describe('loading the main file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-config-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads a valid file with its warnings', () => {
    const file = path.join(dir, 'endit.conf');
    fs.writeFileSync(file, configText('maxretrievers: 2'));
    const { snapshot, warnings } = loadMainConfig(file);
    expect(snapshot.file).toBe(file);
    expect(snapshot.values.retriever_maxworkers).toBe(2);
    expect(warnings).toEqual([`${file}: line 6: key 'maxretrievers' is deprecated, use 'retriever_maxworkers' instead`]);
  });

  it('throws a one-line ConfigError with every problem for an invalid file', () => {
    const file = path.join(dir, 'endit.conf');
    fs.writeFileSync(file, configText('sleeptime: abc', 'verbose: maybe'));
    let caught: unknown;
    try {
      loadMainConfig(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).not.toBeInstanceOf(ConfigMissingError);
    const error = caught as ConfigError;
    expect(error.message).toBe(`${file}: sleeptime: invalid value 'abc': expected a positive integer`);
    expect(error.problems).toEqual([
      `${file}: sleeptime: invalid value 'abc': expected a positive integer`,
      `${file}: verbose: invalid value 'maybe': expected 0 or 1`,
    ]);
  });

  it('writes a sample and throws ConfigMissingError naming it when the file cannot be read', () => {
    const file = path.join(dir, 'missing.conf');
    let caught: unknown;
    try {
      loadMainConfig(file, { sampleDir: dir });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigMissingError);
    const error = caught as ConfigMissingError;
    expect(path.dirname(error.samplePath)).toBe(dir);
    expect(path.basename(error.samplePath)).toMatch(/^endit\.conf\.sample\.[\w-]{6}$/);
    expect(error.message).toBe(
      `${file}: cannot read the configuration file (ENOENT: no such file or directory, open '${file}'); a sample configuration was written to ${error.samplePath}`,
    );
    expect(error.message).not.toContain('\n');
    const sample = fs.readFileSync(error.samplePath, 'utf8');
    expect(parseMainConfig(sample, error.samplePath).ok).toBe(true);
    const umask = process.umask();
    expect(fs.statSync(error.samplePath).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('writes each sample to a new file', () => {
    const file = path.join(dir, 'missing.conf');
    const paths = [1, 2].map(() => {
      try {
        loadMainConfig(file, { sampleDir: dir });
      } catch (error) {
        return (error as ConfigMissingError).samplePath;
      }
      return '';
    });
    expect(new Set(paths).size).toBe(2);
  });

  it('readMainConfig (SIGHUP) throws ConfigError without writing a sample', () => {
    const file = path.join(dir, 'missing.conf');
    expect(() => readMainConfig(file)).toThrow(ConfigError);
    expect(() => readMainConfig(file)).not.toThrow(ConfigMissingError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
