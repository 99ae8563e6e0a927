import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { HintLoader } from '../../src/retriever/hint-loader.js';
import { RequestCache } from '../../src/retriever/request-cache.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';

function collectingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = (): void => {};
  return { warnings, info: quiet, verbose: quiet, debug: quiet, warn: (code, m) => warnings.push(`[${code}] ${m}`), error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };
}

describe('fault 12: HintLoader and a hint file that is not a regular file', () => {
  let dir: string;
  let file: string;
  let logger: ReturnType<typeof collectingLogger>;
  let cache: RequestCache;
  let loader: HintLoader;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hint-loader-'));
    file = path.join(dir, 'hints.json');
    logger = collectingLogger();
    cache = new RequestCache();
    loader = new HintLoader(cache, logger);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a FIFO is one warning naming it, never opened; a regular file put in its place is loaded', () => {
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(loader.refresh(file)).toBe('failed');
    expect(loader.refresh(file)).toBe('unchanged');
    expect(logger.warnings).toEqual([`[hintfile_invalid] hint file ${file} is not a regular file (a fifo); not read; all requests go to the default volume`]);
    fs.rmSync(file);
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    expect(loader.refresh(file)).toBe('loaded');
    expect(cache.hintEntries).toBe(1);
  });

  it('a symlink to a regular file is followed (an administrator may set one up)', () => {
    const real = path.join(dir, 'real.json');
    fs.writeFileSync(real, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    fs.symlinkSync(real, file);
    expect(loader.refresh(file)).toBe('loaded');
    expect(logger.warnings).toEqual([]);
  });

  it('a directory keeps the hints in force', () => {
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    expect(loader.refresh(file)).toBe('loaded');
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(loader.refresh(file)).toBe('failed');
    expect(cache.hintEntries).toBe(1);
    expect(logger.warnings).toEqual([`[hintfile_invalid] hint file ${file} is not a regular file (a directory); not read; the hints loaded before stay in force`]);
  });
});
