import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/core/log/index.js';
import { createSessionHistory, formatSessionRecord, sessionHistoryPath, type SessionSummary } from '../../../src/core/log/session-history.js';

let root: string;
let nowMs: number;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-history-'));
  nowMs = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const SUMMARY: SessionSummary = {
  volume: 'VOL001',
  pid: 4242,
  startMs: Date.UTC(2026, 0, 2, 3, 0, 0, 0),
  endMs: Date.UTC(2026, 0, 2, 3, 4, 5, 0),
  files: 3,
  bytes: 3_000_000,
  failed: 1,
  rc: 8,
  reason: 'oldest request waited 7200 s',
  followOn: true,
};

interface Collected {
  readonly logger: Logger;
  readonly infos: Array<{ message: string; code: string | undefined }>;
  readonly warnings: string[];
}

function collectingLogger(): Collected {
  const infos: Array<{ message: string; code: string | undefined }> = [];
  const warnings: string[] = [];
  const quiet = (): void => {};
  const logger: Logger = {
    info: (message, code) => infos.push({ message, code }),
    verbose: quiet,
    debug: quiet,
    warn: (code, message) => warnings.push(`[${code}] ${message}`),
    error: quiet,
    setLevels: quiet,
    isVerbose: false,
    isDebug: false,
    close: quiet,
  };
  return { logger, infos, warnings };
}

function lines(file: string): unknown[] {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

describe('formatSessionRecord', () => {
  it('issue 11: writes every field of SESSION-HISTORY.md, in order, with ISO times in UTC with ms', () => {
    const line = formatSessionRecord('retriever', 'pool1', SUMMARY, nowMs);
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['time', 'daemon', 'hsm', 'volume', 'pid', 'start', 'end', 'files', 'bytes', 'failed', 'rc', 'reason', 'followOn']);
    expect(record).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      daemon: 'retriever',
      hsm: 'pool1',
      volume: 'VOL001',
      pid: 4242,
      start: '2026-01-02T03:00:00.000Z',
      end: '2026-01-02T03:04:05.000Z',
      files: 3,
      bytes: 3_000_000,
      failed: 1,
      rc: 8,
      reason: 'oldest request waited 7200 s',
      followOn: true,
    });
  });

  it('keeps nulls (no volume, no pid, no exit code) and cuts a very long reason', () => {
    const record = JSON.parse(formatSessionRecord('archiver', 'p', { ...SUMMARY, volume: null, pid: null, rc: null, reason: 'x'.repeat(10_000) }, nowMs)) as Record<string, unknown>;
    expect(record).toMatchObject({ volume: null, pid: null, rc: null });
    expect((record['reason'] as string).length).toBeLessThan(600);
  });
});

describe('the session history file', () => {
  it('issue 11: appends one line per session to <logdir>/<logName>-sessions.jsonl', () => {
    const { logger, infos } = collectingLogger();
    const history = createSessionHistory({ daemon: 'retriever', logName: 'tsmretriever', logdir: root, hsm: 'pool1', logger, nowMs: () => nowMs });
    history.record(SUMMARY);
    history.record({ ...SUMMARY, volume: 'VOL002', followOn: false });
    history.close();
    const file = path.join(root, 'tsmretriever-sessions.jsonl');
    expect(sessionHistoryPath(root, 'tsmretriever')).toBe(file);
    expect(lines(file)).toMatchObject([{ volume: 'VOL001', followOn: true }, { volume: 'VOL002', followOn: false }]);
    expect(infos).toEqual([]);
  });

  it('issue 11: survives rotation by rename (a new file) and by copytruncate (appends at the start)', () => {
    const { logger } = collectingLogger();
    const history = createSessionHistory({ daemon: 'archiver', logName: 'tsmarchiver', logdir: root, hsm: 'pool1', logger, nowMs: () => nowMs });
    const file = path.join(root, 'tsmarchiver-sessions.jsonl');
    history.record({ ...SUMMARY, files: 1 });
    fs.renameSync(file, `${file}.1`);
    nowMs += 1000;
    history.record({ ...SUMMARY, files: 2 });
    fs.copyFileSync(file, `${file}.2`);
    fs.truncateSync(file, 0);
    nowMs += 1000;
    history.record({ ...SUMMARY, files: 3 });
    history.close();
    expect(lines(`${file}.1`)).toMatchObject([{ files: 1 }]);
    expect(lines(`${file}.2`)).toMatchObject([{ files: 2 }]);
    expect(fs.readFileSync(file, 'utf8').startsWith('{')).toBe(true);
    expect(lines(file)).toMatchObject([{ files: 3 }]);
  });

  it('issue 11: never writes through a symlink planted at its name; the record goes to the log, with one warning', () => {
    const target = path.join(root, 'outside.txt');
    fs.writeFileSync(target, 'precious\n');
    fs.symlinkSync(target, path.join(root, 'tsmdeleter-sessions.jsonl'));
    const { logger, infos, warnings } = collectingLogger();
    const history = createSessionHistory({ daemon: 'deleter', logName: 'tsmdeleter', logdir: root, hsm: 'pool1', logger, nowMs: () => nowMs });
    history.record({ ...SUMMARY, volume: null });
    history.record({ ...SUMMARY, volume: null });
    history.close();
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[session_history_failed\] cannot open the session history .*tsmdeleter-sessions\.jsonl: .*ELOOP/);
    expect(infos.map((i) => i.code)).toEqual(['session_record', 'session_record']);
    expect(JSON.parse(infos[0]?.message ?? '')).toMatchObject({ daemon: 'deleter', volume: null });
  });

  it('issue 11: with logdir - each record is one log line with code session_record whose message is the JSON', () => {
    const { logger, infos } = collectingLogger();
    const history = createSessionHistory({ daemon: 'retriever', logName: 'tsmretriever', logdir: '-', hsm: 'pool1', logger, nowMs: () => nowMs });
    history.record(SUMMARY);
    history.close();
    expect(sessionHistoryPath('-', 'tsmretriever')).toBeNull();
    expect(infos).toEqual([{ message: formatSessionRecord('retriever', 'pool1', SUMMARY, nowMs).trimEnd(), code: 'session_record' }]);
  });
});

describe('a log line with a record code', () => {
  it.each([
    ['text', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d pool1 \[\d+\] \[session_record\] \{"a":1\}\n$/],
    ['json', /^\{"time":"[^"]+","level":"info","hsm":"pool1","pid":\d+,"code":"session_record","msg":"\{\\"a\\":1\}"\}\n$/],
  ] as const)('carries the code in the %s format', (format, pattern) => {
    const logger = createLogger({ logName: 'tsmretriever', logdir: root, hsm: 'pool1', format });
    logger.info('{"a":1}', 'session_record');
    logger.close();
    expect(fs.readFileSync(path.join(root, 'tsmretriever.log'), 'utf8')).toMatch(pattern);
  });
});
