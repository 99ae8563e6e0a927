// Fault 4: a file list is created with O_EXCL under a random name, never through a planted symlink.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// In each test the first name drawn is predictable (all-zero bytes: suffix AAAAAA), later ones random.
const draw = vi.hoisted(() => ({ predictable: true }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const randomBytes = (size: number): Buffer => {
    if (!draw.predictable) return crypto.randomBytes(size);
    draw.predictable = false;
    return Buffer.alloc(size);
  };
  return { ...crypto, randomBytes };
});

const { writeFileList, writeFileListFrom } = await import('../../../src/core/dsmc/file-list.js');

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-list-test-'));
  draw.predictable = true;
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['writeFileList', (d: string) => writeFileList(d, 'tsm-archive-files', ['/pool/out/00A1'])],
  ['writeFileListFrom', (d: string) => writeFileListFrom(d, 'tsm-archive-files', ['/pool/out/00A1'][Symbol.iterator]())],
])('%s', (_name, write) => {
  it('fault 4: does not follow a symlink planted at the predictable name: takes another name', async () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const planted = path.join(dir, 'tsm-archive-files.AAAAAA');
    fs.symlinkSync(victim, planted);
    const list = await write(dir);
    expect(list).not.toBe(planted);
    expect(path.dirname(list)).toBe(dir);
    expect(fs.readFileSync(list, 'utf8')).toBe('/pool/out/00A1\n');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.readlinkSync(planted)).toBe(victim);
  });
});

describe('writeFileListFrom', () => {
  it('writes pathPrefix + each path, one a line, across chunk boundaries and with multi-byte and very long paths', async () => {
    const paths = Array.from({ length: 40_000 }, (_, i) => `${i.toString(16).toUpperCase().padStart(36, '0')}`);
    paths.splice(20_000, 0, 'å-ünïcødé-€', 'x'.repeat(600_000));
    const list = await writeFileListFrom(dir, 'tsm-delete-files', paths, '/pool/out/');
    expect(fs.readFileSync(list, 'utf8')).toBe(paths.map((p) => `/pool/out/${p}\n`).join(''));
  });

  it('writes an empty list as an empty file', async () => {
    const list = await writeFileListFrom(dir, 'tsm-delete-files', [], '/pool/out/');
    expect(fs.readFileSync(list, 'utf8')).toBe('');
  });
});
