import { describe, expect, it } from 'vitest';
import { parseRetrieverLog, planStartDelaysMs } from '../../../src/bench/tape/retriever-log.js';
import type { JournalEntry } from '../../../src/fake-dsmc/journal.js';

function line(timeMs: number, msg: string, code?: string): string {
  return JSON.stringify({ time: new Date(timeMs).toISOString(), level: code === undefined ? 'info' : 'warn', hsm: 'bench', pid: 1, ...(code === undefined ? {} : { code }), msg });
}

const LOG = [
  line(1000, 'Starting retrieve session for volume 100001: 3 files, 9.0 MiB (list ready)'),
  line(1500, 'Space FULL: 0.5 GiB free; killing 1 retrieve session(s), starting none', 'space_full'),
  line(2000, 'Starting retrieve session for volume 100002: 1 files, 1.0 MiB (list ready)'),
  '{"time": "torn',
  'a text line [space_full] is not counted: the bench writes JSON',
  line(9000, 'Starting retrieve session for volume 100001: 2 files, 6.0 MiB (follow-on: tape still mounted)'),
  line(9500, 'Space FULL again', 'space_full'),
].join('\n');

function start(timeMs: number, listFile?: string): JournalEntry {
  return { event: 'start', timeMs, pid: timeMs, command: 'retrieve', argv: [], action: 'normal', ...(listFile === undefined ? {} : { listFile }) };
}

describe('the retriever log as bench:tape reads it', () => {
  const facts = parseRetrieverLog(LOG);

  it('counts log codes (space_full: the emergency kills) and finds session starts', () => {
    expect(facts.codes.get('space_full')).toBe(2);
    expect(facts.sessionStarts).toEqual([
      { volume: '100001', timeMs: 1000 },
      { volume: '100002', timeMs: 2000 },
      { volume: '100001', timeMs: 9000 },
    ]);
  });

  it('dsmc start-up: from the latest start line of the list volume to the fake start entry', () => {
    const journal = [start(1300, '/p/requestlists/100001.aB3dE'), start(2700, '/p/requestlists/100002.xyz'), start(9250, '/p/requestlists/100001.q'), start(9300), start(500, '/p/requestlists/100009.z')];
    expect(planStartDelaysMs(facts, journal)).toEqual([300, 700, 250]);
  });
});
