import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log/index.js';
import { RequestDirWarnings } from '../../src/retriever/request-dir-warnings.js';
import { classifyRequestName, scanRequestDir, type OddRequestEntry } from '../../src/retriever/scan-requests.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
const LONG = 'A'.repeat(250);

function collectingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = (): void => {};
  return { warnings, info: quiet, verbose: quiet, debug: quiet, warn: (code, m) => warnings.push(`[${code}] ${m}`), error: quiet, setLevels: quiet, isVerbose: false, isDebug: false, close: quiet };
}

describe('classifyRequestName', () => {
  it.each([
    [id(1), 'pnfsid'],
    ['A'.repeat(64), 'pnfsid'],
    ['A'.repeat(65), 'long-name'],
    [LONG, 'long-name'],
    [`${id(1)}.err`, 'other'],
    [`.${id(1)}.err.0123456789ab.tmp`, 'other'],
    ['notes.txt', 'other'],
  ])('%s → %s', (name, expected) => {
    expect(classifyRequestName(name)).toBe(expected);
  });
});

describe('fault 3 and 11: odd entries in request/ are reported, not taken', () => {
  let dir: string;
  let server: net.Server | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-rq-'));
  });
  afterEach(() => {
    server?.close();
    server = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function populate(): Promise<void> {
    const recall = JSON.stringify({ file_size: 1, parent_pid: process.pid, action: 'recall' });
    fs.writeFileSync(path.join(dir, id(1)), recall);
    fs.writeFileSync(path.join(dir, 'target.json'), recall);
    fs.symlinkSync(path.join(dir, 'target.json'), path.join(dir, id(2)));
    fs.mkdirSync(path.join(dir, id(3)));
    expect(spawnSync('mkfifo', [path.join(dir, id(4))]).status).toBe(0);
    const listening = net.createServer();
    server = listening;
    await new Promise<void>((resolve) => listening.listen(path.join(dir, id(5)), resolve));
    fs.writeFileSync(path.join(dir, LONG), recall);
    fs.writeFileSync(path.join(dir, `${id(6)}.err`), 'not on tape');
  }

  it('the listing hands out the one request file and reports each odd entry with its kind', async () => {
    await populate();
    const files: string[] = [];
    const odd: OddRequestEntry[] = [];
    const found = await scanRequestDir(dir, (name) => files.push(name), (entry) => odd.push(entry));
    expect(found).toBe(1);
    expect(files).toEqual([id(1)]);
    expect(odd.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: id(2), problem: 'symlink' },
      { name: id(3), problem: 'directory' },
      { name: id(4), problem: 'fifo' },
      { name: id(5), problem: 'socket' },
      { name: LONG, problem: 'long-name' },
    ]);
  });

  it('warns once per entry naming it, across listings, and again after it went away and came back', async () => {
    await populate();
    const logger = collectingLogger();
    const warnings = new RequestDirWarnings(dir, logger);
    const pass = async (): Promise<void> => {
      await scanRequestDir(dir, () => {}, (entry) => warnings.report(entry));
      warnings.endPass();
    };
    await pass();
    await pass();
    expect(logger.warnings.sort()).toEqual([
      `[odd_entry] ${dir}/${id(2)}: skipped, a symlink is not a regular file`,
      `[odd_entry] ${dir}/${id(3)}: skipped, a directory is not a regular file`,
      `[odd_entry] ${dir}/${id(4)}: skipped, a fifo is not a regular file`,
      `[odd_entry] ${dir}/${id(5)}: skipped, a socket is not a regular file`,
      `[request_invalid] ${dir}/${LONG}: skipped, a name of 250 hex digits is no pnfsid (at most 64)`,
    ]);
    fs.rmSync(path.join(dir, LONG));
    await pass();
    fs.writeFileSync(path.join(dir, LONG), '{}');
    await pass();
    expect(logger.warnings.filter((w) => w.includes(LONG))).toHaveLength(2);
  });
});
