import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRequest, planRealMs, planReplayRequests, planSimMs, runReplay } from '../../../src/bench/tape/replay.js';
import { parseRequestText } from '../../../src/retriever/request-parse.js';
import type { TraceRequest } from '../../../src/tape-model/trace.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const TRACE: TraceRequest[] = [
  { id: 'A0', arrivalMs: 0, volume: 'V', positionBytes: 0, sizeBytes: 3e9 },
  { id: 'B0', arrivalMs: 90_000, volume: 'V', positionBytes: 0, sizeBytes: 1e9 },
  { id: 'C0', arrivalMs: 30_000, volume: 'V', positionBytes: 0, sizeBytes: 2e9 },
];

describe('the arrival schedule', () => {
  const clock = { t0RealMs: 1_000_000, timeScale: 0.01 };

  it('each request is due at its arrival on the compressed clock, in order, with its scaled size', () => {
    const requests = planReplayRequests(TRACE, new Map([['A0', 3e6], ['B0', 1e6], ['C0', 2e6]]), clock);
    expect(requests).toEqual([
      { id: 'A0', dueRealMs: 1_000_000, sizeBytes: 3e6 },
      { id: 'C0', dueRealMs: 1_000_300, sizeBytes: 2e6 },
      { id: 'B0', dueRealMs: 1_000_900, sizeBytes: 1e6 },
    ]);
  });

  it('real and simulated time convert both ways', () => {
    expect(planRealMs(clock, 90_000)).toBe(1_000_900);
    expect(planSimMs(clock, 1_000_900)).toBeCloseTo(90_000, 6);
  });

  it('a request is what the retriever reads as a recall by a live parent', () => {
    expect(parseRequestText(formatRequest('A0', 3e6, 1234, 1_700_000_000_000))).toEqual({ kind: 'recall', fileSizeBytes: 3e6, parentPid: 1234 });
  });
});

describe('runReplay: dCache side', () => {
  function dirs(): { requestDir: string; inDir: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-replay-'));
    temps.push(root);
    const requestDir = path.join(root, 'request');
    const inDir = path.join(root, 'in');
    fs.mkdirSync(requestDir);
    fs.mkdirSync(inDir);
    return { requestDir, inDir };
  }

  it('writes due requests, takes complete files from in/ with their mtime, and counts .err failures', async () => {
    const { requestDir, inDir } = dirs();
    const now = Date.now();
    const plan = { requestDir, inDir, parentPid: process.pid, deadlineRealMs: now + 20_000, tickMs: 5, requests: [{ id: 'AA', dueRealMs: now, sizeBytes: 4 }, { id: 'BB', dueRealMs: now, sizeBytes: 2 }] };
    const replay = runReplay(plan, () => {
      // the "retriever": lands AA (first a partial file, then complete) and fails BB
      if (fs.existsSync(path.join(requestDir, 'AA')) && !fs.existsSync(path.join(inDir, 'AA'))) fs.writeFileSync(path.join(inDir, 'AA'), 'ab');
      else if (fs.existsSync(path.join(inDir, 'AA'))) fs.writeFileSync(path.join(inDir, 'AA'), 'abcd');
      if (fs.existsSync(path.join(requestDir, 'BB'))) fs.writeFileSync(path.join(requestDir, 'BB.err'), 'ANS1345E\n');
      return null;
    });
    const seen = await replay;
    expect([...seen.writtenRealMs.keys()].sort()).toEqual(['AA', 'BB']);
    expect([...seen.landedRealMs.keys()]).toEqual(['AA']);
    expect([...seen.failed]).toEqual(['BB']);
    expect(seen.timedOut).toBe(false);
    expect(fs.readdirSync(requestDir)).toEqual([]);
    expect(fs.readdirSync(inDir)).toEqual([]);
  });

  it('stops at the deadline, and throws when told why to abort', async () => {
    const { requestDir, inDir } = dirs();
    const plan = { requestDir, inDir, parentPid: process.pid, deadlineRealMs: Date.now() + 30, tickMs: 5, requests: [{ id: 'AA', dueRealMs: Date.now(), sizeBytes: 4 }] };
    expect((await runReplay(plan, () => null)).timedOut).toBe(true);
    await expect(runReplay({ ...plan, deadlineRealMs: Date.now() + 10_000 }, () => 'the retriever died')).rejects.toThrow('the retriever died');
  });
});
