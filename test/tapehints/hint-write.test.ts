// Fault 4: endit-tapehints writes the hint file through a new temp file (O_EXCL), never through a planted symlink.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The temp name is predictable here (all-zero random bytes), as an attacker would wish.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, randomBytes: (size: number) => Buffer.alloc(size) };
});

const { writeHintFile } = await import('../../src/core/hints/index.js');

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hint-write-test-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('writeHintFile', () => {
  it('fault 4: a symlink planted at the temp name is not followed: the write fails, victim and hint file unchanged', async () => {
    const hintFile = path.join(dir, 'hints.json');
    fs.writeFileSync(hintFile, '{}\n');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const planted = path.join(dir, `.hints.json.${'00'.repeat(6)}.tmp`);
    fs.symlinkSync(victim, planted);
    await expect(writeHintFile(hintFile, [['00A1', { volid: 'L1', order: '1' }]])).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.readFileSync(hintFile, 'utf8')).toBe('{}\n');
    expect(fs.readlinkSync(planted)).toBe(victim);
  });

  it('writes through a temp name it creates itself, and leaves none behind', async () => {
    const hintFile = path.join(dir, 'hints.json');
    await writeHintFile(hintFile, [['00A1', { volid: 'L1', order: '1', sizeBytes: 5 }]]);
    expect(JSON.parse(fs.readFileSync(hintFile, 'utf8'))).toEqual({ '00A1': { volid: 'L1', order: '1', size: 5 } });
    expect(fs.readdirSync(dir)).toEqual(['hints.json']);
  });
});
