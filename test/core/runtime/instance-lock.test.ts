import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, LockHeldError, readLockHolder } from '../../../src/core/runtime/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-lock-'));
  dirs.push(d);
  return d;
}

describe('instance lock', () => {
  it('refuses while a live process holds it', () => {
    const file = path.join(tempDir(), '.endit-archiver.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid }));
    expect(() => acquireInstanceLock(file)).toThrow(LockHeldError);
    expect(readLockHolder(file)).toBe(process.ppid);
  });

  it('takes over the lock of a dead process, and releases only its own', async () => {
    const file = path.join(tempDir(), '.endit-archiver.lock');
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = child.pid as number;
    await new Promise((r) => child.on('exit', r));
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid }));
    const lock = acquireInstanceLock(file);
    expect(readLockHolder(file)).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes over a garbage lock file', () => {
    const file = path.join(tempDir(), '.endit-archiver.lock');
    fs.writeFileSync(file, 'garbage');
    acquireInstanceLock(file).release();
  });
});
