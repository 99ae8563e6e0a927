import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HintFileError, MAX_HINT_FILE_BYTES, readHintFile, sanitizeVolumeName, withHintFile } from '../../../src/core/hints/index.js';

const A = '0000004C9A19B5FA480398AED8A6CD61107D';

describe('fault 12: the hint file must be a regular file of sane size', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-hint-open-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const hints = (): string => {
    const file = path.join(dir, 'real.json');
    fs.writeFileSync(file, JSON.stringify({ [A]: { volid: 'V1', order: '1' } }));
    return file;
  };

  it('refuses a FIFO at once, naming the file, instead of blocking on it', async () => {
    const fifo = path.join(dir, 'hints.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(readHintFile(fifo)).rejects.toThrow(HintFileError);
    await expect(readHintFile(fifo)).rejects.toThrow(`${fifo}: not a regular file (a fifo)`);
  });

  it('refuses a symlink to a FIFO, and a directory', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const link = path.join(dir, 'hints.json');
    fs.symlinkSync(fifo, link);
    await expect(readHintFile(link)).rejects.toThrow(/not a regular file \(a fifo\)/);
    await expect(readHintFile(dir)).rejects.toThrow(/not a regular file \(a directory\)/);
  });

  it('follows a symlink an administrator set up to a regular file', async () => {
    const link = path.join(dir, 'hints.json');
    fs.symlinkSync(hints(), link);
    const read = await readHintFile(link);
    expect(read.hints.get(A)).toEqual({ volid: 'V1', order: '1' });
  });

  it(`refuses a file larger than ${MAX_HINT_FILE_BYTES / 1024 ** 3} GiB without reading it`, async () => {
    const huge = path.join(dir, 'hints.json');
    fs.writeFileSync(huge, '{');
    fs.truncateSync(huge, MAX_HINT_FILE_BYTES + 1); // sparse: costs no disk
    await expect(readHintFile(huge)).rejects.toThrow(/more than a hint file can be/);
  });

  it('withHintFile takes a smaller limit and closes the file', () => {
    const file = hints();
    expect(() => withHintFile(file, () => 1, 10)).toThrow(HintFileError);
    expect(withHintFile(file, (open) => open.stat.size)).toBe(fs.statSync(file).size);
  });
});

describe('fault 10: volume names stay short enough for file names', () => {
  it.each([
    ['L00001L8', 'L00001L8'],
    ['x'.repeat(100), 'x'.repeat(100)],
  ])('keeps a name of up to 100 characters as it is (%#)', (volid, expected) => {
    expect(sanitizeVolumeName(volid)).toBe(expected);
  });

  it.each([101, 230, 248, 250, 300, 5000])('shortens a name of %i characters to its first 100, `_` and a hash', (length) => {
    const name = sanitizeVolumeName('V'.repeat(length));
    expect(name).toMatch(/^V{100}_[0-9a-f]{16}$/);
    // requestlists/<volume>.XXXXXX, its session record `.retriever.<list>.session` and that record's temporary name
    const tempOfRecord = `..retriever.${name}.XXXXXX.session.${'0'.repeat(12)}.tmp`;
    expect(Buffer.byteLength(tempOfRecord)).toBeLessThan(255);
  });

  it('keeps two long names apart even when they differ only at the end, and is stable', () => {
    const a = sanitizeVolumeName(`${'V'.repeat(240)}A`);
    const b = sanitizeVolumeName(`${'V'.repeat(240)}B`);
    expect(a).not.toBe(b);
    expect(sanitizeVolumeName(`${'V'.repeat(240)}A`)).toBe(a);
  });

  it('a shortened name never equals a name kept as it is', () => {
    expect(sanitizeVolumeName('V'.repeat(101)).length).toBeGreaterThan(100);
  });

  it('hashes the sanitized name: volids that sanitize alike group alike, as short ones do', () => {
    expect(sanitizeVolumeName(`${'V'.repeat(200)} x`)).toBe(sanitizeVolumeName(`${'V'.repeat(200)}/x`));
  });
});
