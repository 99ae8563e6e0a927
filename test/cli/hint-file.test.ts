import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHintFile } from '../../src/cli/hint-file.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the CLI hint-file read (status, pertape, plan)', () => {
  it('fault 12: a FIFO at the hint file path is one error naming it, never a hang', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-cli-hints-'));
    const fifo = path.join(dir, 'hints.json');
    execFileSync('mkfifo', [fifo]);
    const read = readHintFile(fifo);
    expect(read).toEqual({ ok: false, error: expect.stringContaining(fifo) });
    expect(read.ok ? '' : read.error).toMatch(/not a regular file \(a fifo\)/);
  });

  it('reads a regular hint file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-cli-hints-'));
    const file = path.join(dir, 'hints.json');
    fs.writeFileSync(file, JSON.stringify({ '0000AA': { volid: 'L00001', order: '1', size: 10 } }));
    const read = readHintFile(file);
    expect(read.ok && read.hints.size).toBe(1);
  });
});
