import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, formatJsonLine, formatTextLine, MAX_LINE_CHARS } from '../../../src/core/log/index.js';
import { syslogPrefix } from '../../../src/core/log/format-line.js';
import { isJournalStream } from '../../../src/core/log/logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('log lines', () => {
  it('has the ENDIT format with a bracketed code on warnings', () => {
    const line = formatTextLine({ timeMs: new Date(2024, 0, 2, 3, 4, 5).getTime(), level: 'warn', hsm: 'pool1', pid: 42, code: 'dsmc_failed', message: 'x' });
    expect(line).toBe('2024-01-02 03:04:05 pool1 [42] Warning: [dsmc_failed] x\n');
    expect(formatTextLine({ timeMs: 0, level: 'info', hsm: 'p', pid: 1, message: 'a\nb' })).toMatch(/\[1\] a \| b\n$/);
  });

  it('writes one JSON object per line in json format', () => {
    const obj = JSON.parse(formatJsonLine({ timeMs: 0, level: 'error', hsm: 'p', pid: 7, code: 'c', message: 'm' })) as Record<string, unknown>;
    expect(obj).toMatchObject({ level: 'error', hsm: 'p', pid: 7, code: 'c', msg: 'm' });
  });
});

describe('file logger', () => {
  it('reopens the file after rotation, counts issues, and caps line length', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-log-'));
    dirs.push(dir);
    let now = 1_000_000;
    const issues: string[] = [];
    const logger = createLogger({ logName: 'tsmarchiver', logdir: dir, hsm: 'p', format: 'text', nowMs: () => now, onIssue: (code) => issues.push(code) });
    logger.info('first');
    fs.renameSync(path.join(dir, 'tsmarchiver.log'), path.join(dir, 'tsmarchiver.log.1'));
    now += 5000;
    logger.warn('cycle_failed', 'second');
    logger.info('y'.repeat(MAX_LINE_CHARS * 3));
    logger.verbose('shown');
    logger.setLevels({ verbose: false, debug: false });
    logger.verbose('hidden');
    logger.debug('hidden too');
    logger.close();
    expect(fs.readFileSync(path.join(dir, 'tsmarchiver.log.1'), 'utf8')).toMatch(/first/);
    const current = fs.readFileSync(path.join(dir, 'tsmarchiver.log'), 'utf8').split('\n').filter(Boolean);
    expect(current[0]).toMatch(/Warning: \[cycle_failed\] second$/);
    expect(current.every((l) => l.length <= 4096)).toBe(true);
    expect(current.join('\n')).toContain('shown');
    expect(current.join('\n')).not.toContain('hidden');
    expect(issues).toEqual(['cycle_failed']);
  });
});

describe('journald priority prefixes', () => {
  it.each([
    ['error', '<3>'],
    ['warn', '<4>'],
    ['info', '<6>'],
    ['debug', '<7>'],
  ] as const)('%s → %s', (level, prefix) => {
    expect(syslogPrefix(level)).toBe(prefix);
  });

  const stdout = { dev: 2049n, ino: 123456789012n };
  it.each([
    [undefined, true, false], // a terminal, or not started by systemd
    ['2049:123456789012', true, true],
    ['2049:1', true, false], // inherited by a process whose stdout is elsewhere now
    ['2049:123456789012', false, false],
    ['garbage', true, false],
    ['', true, false],
  ] as const)('JOURNAL_STREAM=%j, stdout known: %j → stdout is the journal: %j', (env, known, expected) => {
    expect(isJournalStream(env, known ? stdout : null)).toBe(expected);
  });

  it('a logger writing to a file never prefixes, even when told that stdout is the journal', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-log-'));
    dirs.push(dir);
    const logger = createLogger({ logName: 'tsmdeleter', logdir: dir, hsm: 'p', format: 'text', journal: true });
    logger.warn('cycle_failed', 'x');
    logger.close();
    expect(fs.readFileSync(path.join(dir, 'tsmdeleter.log'), 'utf8')).toMatch(/^\d{4}-/);
  });
});
