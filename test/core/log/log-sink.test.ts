import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileSink } from '../../../src/core/log/log-sink.js';

let root: string;
let logdir: string;
let file: string;
let nowMs: number;
let fallback: string[];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-sink-'));
  logdir = path.join(root, 'log');
  fs.mkdirSync(logdir);
  file = path.join(logdir, 'tsmarchiver.log');
  nowMs = 1_000_000;
  fallback = [];
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

function sink(): ReturnType<typeof createFileSink> {
  return createFileSink(file, () => nowMs, (line) => fallback.push(line));
}

describe('file log sink', () => {
  it('reopens a file that logrotate moved away', () => {
    const log = sink();
    log.write('one\n');
    fs.renameSync(file, `${file}.1`);
    nowMs += 1000;
    log.write('two\n');
    log.close();
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('one\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('two\n');
  });

  it('fault 4: never opens the log through a symlink planted at its name', () => {
    const target = path.join(root, 'outside.txt');
    fs.writeFileSync(target, 'precious\n');
    fs.symlinkSync(target, file);
    expect(() => sink()).toThrow(/ELOOP/);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('fault 4: a symlink planted after a rotation is not followed either; lines go to the fallback', () => {
    const target = path.join(root, 'outside.txt');
    fs.writeFileSync(target, 'precious\n');
    const log = sink();
    fs.rmSync(file);
    fs.symlinkSync(target, file);
    nowMs += 1000;
    log.write('line\n');
    log.close();
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(fallback).toEqual(['line\n']);
  });

  it('refuses a FIFO at the log name without blocking', () => {
    fs.rmSync(logdir, { recursive: true });
    fs.mkdirSync(logdir);
    // A FIFO with no reader: a blocking open would wait forever.
    execFileSync('mkfifo', [file]);
    expect(() => sink()).toThrow(/ENXIO|not a regular file/);
  });

  it('fault 13: resumes logging to the file once a removed log directory is made again, and closes each fd once', () => {
    const close = vi.spyOn(fs, 'closeSync');
    const log = sink();
    log.write('before\n');
    fs.rmSync(logdir, { recursive: true });
    nowMs += 1000;
    log.write('while gone 1\n');
    expect(close).toHaveBeenCalledTimes(1);
    // Another file now gets the lowest free descriptor: the one the sink gave up.
    const other = fs.openSync(path.join(root, 'other'), 'w');
    nowMs += 1000;
    log.write('while gone 2\n');
    expect(() => fs.fstatSync(other)).not.toThrow();
    fs.mkdirSync(logdir);
    nowMs += 1000;
    log.write('after\n');
    log.close();
    log.close();
    expect(fallback).toEqual(['while gone 1\n', 'while gone 2\n']);
    expect(fs.readFileSync(file, 'utf8')).toBe('after\n');
    expect(() => fs.fstatSync(other)).not.toThrow();
    const closedFds = close.mock.calls.map(([fd]) => fd);
    expect(closedFds).toHaveLength(2);
    expect(new Set(closedFds).size).toBe(2);
    fs.closeSync(other);
  });
});
