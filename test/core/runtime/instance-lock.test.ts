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

describe('fault 4: planted symlinks', () => {
  it('never writes through a symlink planted at the temporary name of the lock', () => {
    const dir = tempDir();
    const outside = path.join(tempDir(), 'precious');
    fs.writeFileSync(outside, 'precious\n');
    const file = path.join(dir, '.endit-archiver.lock');
    // The name the lock's temporary file used to have.
    fs.symlinkSync(outside, `${file}.${process.pid}.tmp`);
    const lock = acquireInstanceLock(file);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(readLockHolder(file)).toBe(process.pid);
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([`.endit-archiver.lock.${process.pid}.tmp`]);
  });

  it('a symlink at the lock name is a garbage lock: replaced, its target untouched', () => {
    const dir = tempDir();
    const outside = path.join(tempDir(), 'precious');
    fs.writeFileSync(outside, JSON.stringify({ pid: process.ppid }));
    const file = path.join(dir, '.endit-archiver.lock');
    fs.symlinkSync(outside, file);
    const lock = acquireInstanceLock(file);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe(JSON.stringify({ pid: process.ppid }));
    lock.release();
  });
});

describe('fault 7: the lock is checked each cycle', () => {
  it('is held while nothing happened to it', () => {
    const lock = acquireInstanceLock(path.join(tempDir(), '.endit-archiver.lock'));
    expect(lock.check()).toEqual({ kind: 'held' });
    expect(lock.check()).toEqual({ kind: 'held' });
  });

  it('a removed lock is taken again', () => {
    const file = path.join(tempDir(), '.endit-archiver.lock');
    const lock = acquireInstanceLock(file);
    fs.rmSync(file);
    expect(lock.check()).toEqual({ kind: 'retaken', why: 'removed' });
    expect(readLockHolder(file)).toBe(process.pid);
    expect(lock.check()).toEqual({ kind: 'held' });
  });

  it('a pool directory removed is unavailable until it is made again; then the lock is taken again', () => {
    const dir = path.join(tempDir(), 'pool');
    fs.mkdirSync(dir);
    const file = path.join(dir, '.endit-archiver.lock');
    const lock = acquireInstanceLock(file);
    fs.rmSync(dir, { recursive: true });
    expect(lock.check()).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('ENOENT') });
    fs.mkdirSync(dir);
    expect(lock.check()).toEqual({ kind: 'retaken', why: 'removed' });
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a lock another live process holds now is lost; releasing then leaves it alone', () => {
    const dir = path.join(tempDir(), 'pool');
    fs.mkdirSync(dir);
    const file = path.join(dir, '.endit-archiver.lock');
    const lock = acquireInstanceLock(file);
    // The pool directory made again, and another archiver started on it.
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid }));
    expect(lock.check()).toEqual({ kind: 'lost', holderPid: process.ppid });
    lock.release();
    expect(readLockHolder(file)).toBe(process.ppid);
  });

  it('a lock replaced by a dead process\'s one is taken again', () => {
    const file = path.join(tempDir(), '.endit-archiver.lock');
    const lock = acquireInstanceLock(file);
    fs.rmSync(file);
    fs.writeFileSync(file, 'garbage');
    expect(lock.check()).toEqual({ kind: 'retaken', why: 'replaced' });
    expect(lock.check()).toEqual({ kind: 'held' });
  });
});
