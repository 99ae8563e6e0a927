// Every scenario action, run through the built program.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEndEntry, JournalStartEntry } from '../../src/fake-dsmc/library.js';
import { listObjects, readJournal, seedObject } from '../../src/fake-dsmc/library.js';
import type { Sandbox } from './helpers.js';
import {
  archiveArgs,
  isAlive,
  killAll,
  makeOutFiles,
  makeSandbox,
  patternBytes,
  queryArgs,
  removeSandbox,
  retrieveArgs,
  run,
  start,
  waitFor,
  writeList,
  writeScenario,
} from './helpers.js';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox();
});

afterEach(() => {
  killAll();
  removeSandbox(box);
});

const IDS = ['00C1', '00C2', '00C3', '00C4'];

/** Seeds four objects and returns their out/ paths and the retrieve list. */
function seedFour(): { paths: string[]; list: string } {
  const paths = IDS.map((id, index) => {
    const path = join(box.out, id);
    seedObject(box.library, { path, content: patternBytes(id, 100 * (index + 1)) });
    return path;
  });
  return { paths, list: writeList(box, paths) };
}

function endEntry(): JournalEndEntry | undefined {
  return readJournal(box.library).find((entry): entry is JournalEndEntry => entry.event === 'end');
}

describe('fail', () => {
  it('prints the message after the banner and exits with the rule rc, processing nothing', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'fail', rc: 12, message: 'ANS1311E Server out of data storage space' }] });
    const paths = makeOutFiles(box, [{ id: '00B1', size: 10 }]);
    const result = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(result.rc).toBe(12);
    expect(result.stdout).toContain('Session established with server');
    expect(result.stdout).not.toContain('Normal File-->');
    expect(result.stderr).toBe('ANS1311E Server out of data storage space\n');
    expect(existsSync(String(paths[0]))).toBe(true);
    expect(listObjects(box.library)).toEqual([]);
    expect(endEntry()).toMatchObject({ rc: 12, outcome: 'failed', done: [], failed: ['00B1'] });
  });

  it('applies to the first N invocations only (times), then behaves normally', async () => {
    writeScenario(box, { rules: [{ command: 'retrieve', times: 1, action: 'fail', rc: 8, message: 'ANS1029E Communication with the server is lost.' }] });
    const { list } = seedFour();
    const first = await run(retrieveArgs(list, box.in), box.env);
    expect(first.rc).toBe(8);
    expect(existsSync(join(box.in, '00C1'))).toBe(false);
    const second = await run(retrieveArgs(list, box.in), box.env);
    expect(second.rc).toBe(0);
    expect(statSync(join(box.in, '00C4')).size).toBe(400);
    const starts = readJournal(box.library).filter((entry): entry is JournalStartEntry => entry.event === 'start');
    expect(starts.map((entry) => entry.action)).toEqual(['fail', 'normal']);
  });
});

describe('partial', () => {
  it('processes afterFiles files normally, then fails with the message and rc', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'partial', afterFiles: 2, rc: 12, message: 'ANS1311E Server out of data storage space' }] });
    const paths = makeOutFiles(box, IDS.map((id) => ({ id, size: 10 })));
    const result = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toBe('ANS1311E Server out of data storage space\n');
    expect(result.stdout.match(/Normal File-->/g)).toHaveLength(2);
    expect(result.stdout).toMatch(/^Total number of objects archived: +2$/m);
    expect(paths.map((path) => existsSync(path))).toEqual([false, false, true, true]);
    expect(endEntry()).toMatchObject({ rc: 12, outcome: 'partial', done: ['00C1', '00C2'], failed: ['00C3', '00C4'] });
  });
});

describe('crash', () => {
  it('kills itself with the signal after afterFiles files, journaling first', async () => {
    writeScenario(box, { rules: [{ command: 'retrieve', action: 'crash', afterFiles: 1, signal: 'SIGSEGV' }] });
    const { list } = seedFour();
    const result = await run(retrieveArgs(list, box.in), box.env);
    expect(result.rc).toBeNull();
    expect(result.signal).toBe('SIGSEGV');
    expect(statSync(join(box.in, '00C1')).size).toBe(100);
    expect(existsSync(join(box.in, '00C2'))).toBe(false);
    expect(endEntry()).toMatchObject({ rc: null, signal: 'SIGSEGV', outcome: 'crashed', done: ['00C1'], failed: ['00C2', '00C3', '00C4'] });
  });

  it('dies by whichever signal the rule names', async () => {
    writeScenario(box, { rules: [{ action: 'crash', signal: 'SIGUSR2' }] });
    const result = await run(queryArgs(`${box.out}/*`), box.env);
    expect(result.signal).toBe('SIGUSR2');
  });
});

describe('hang', () => {
  it('ignores SIGTERM after the banner; only SIGKILL stops it', async () => {
    writeScenario(box, { rules: [{ command: 'retrieve', action: 'hang' }] });
    const { list } = seedFour();
    const session = start(retrieveArgs(list, box.in), box.env);
    await waitFor(() => session.stdout().includes('Session established with server'), 'banner');
    const pid = session.child.pid ?? -1;
    session.child.kill('SIGTERM');
    await waitFor(() => readJournal(box.library).some((entry) => entry.event === 'signal' && entry.signal === 'SIGTERM'), 'SIGTERM noted');
    expect(isAlive(pid)).toBe(true);
    expect(session.stdout()).not.toContain('Retrieving');
    session.child.kill('SIGKILL');
    expect(await session.done).toMatchObject({ rc: null, signal: 'SIGKILL' });
    expect(endEntry()).toBeUndefined();
  });

  it('hangs after afterFiles files', async () => {
    writeScenario(box, { rules: [{ command: 'retrieve', action: 'hang', afterFiles: 2 }] });
    const { list } = seedFour();
    const session = start(retrieveArgs(list, box.in), box.env);
    await waitFor(() => (session.stdout().match(/\[Done\]/g) ?? []).length === 2, 'two files');
    expect(existsSync(join(box.in, '00C3'))).toBe(false);
    session.child.kill('SIGKILL');
    expect((await session.done).signal).toBe('SIGKILL');
  });

  it('honours SIGTERM when ignoreSigterm is false', async () => {
    writeScenario(box, { rules: [{ action: 'hang', ignoreSigterm: false }] });
    const session = start(queryArgs(`${box.out}/*`), box.env);
    await waitFor(() => session.stdout().includes('Session established'), 'banner');
    session.child.kill('SIGTERM');
    expect((await session.done).signal).toBe('SIGTERM');
  });
});

describe('prompt', () => {
  it('asks like dsmc without a trailing newline and waits despite closed stdin', async () => {
    writeScenario(box, { rules: [{ command: 'retrieve', action: 'prompt', afterFiles: 1 }] });
    const { list } = seedFour();
    const session = start(retrieveArgs(list, box.in), box.env);
    await waitFor(() => session.stdout().endsWith('Action [1,2,3,4,A] : '), 'prompt');
    const text = session.stdout();
    expect(text).toContain('--- User Action is Required ---\n');
    expect(text).toContain(`File '${join(box.in, '00C2')}' exists\n`);
    expect(text).toMatch(/^Action\s+\[.*\]\s+:/m);
    expect(statSync(join(box.in, '00C1')).size).toBe(100);
    session.child.kill('SIGTERM');
    await waitFor(() => readJournal(box.library).some((entry) => entry.event === 'signal'), 'SIGTERM noted');
    expect(isAlive(session.child.pid ?? -1)).toBe(true);
    session.child.kill('SIGKILL');
    expect((await session.done).signal).toBe('SIGKILL');
  });
});

describe('natural prompt', () => {
  it('prompts for an existing file when -replace is not given (dsmc default: prompt)', async () => {
    const { paths } = seedFour();
    writeFileSync(join(box.in, '00C1'), 'old');
    const session = start(['retrieve', `-filelist=${writeList(box, [String(paths[0])])}`, `${box.in}/`], box.env);
    await waitFor(() => session.stdout().endsWith('Action [1,2,3,4,A] : '), 'prompt');
    expect(session.stdout()).toContain(`File '${join(box.in, '00C1')}' exists`);
    session.child.kill('SIGKILL');
    await session.done;
    expect(readFileSync(join(box.in, '00C1'), 'utf8')).toBe('old');
  });
});

describe('per-id failures', () => {
  it('fails failIds on retrieve with ANS1345E and lands wrongSizeIds with a wrong size', async () => {
    writeScenario(box, { failIds: ['00C2'], wrongSizeIds: ['00C3'] });
    const { paths, list } = seedFour();
    const result = await run(retrieveArgs(list, box.in), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toBe(`ANS1345E No objects on the server match '${paths[1]}'\n`);
    expect(existsSync(join(box.in, '00C2'))).toBe(false);
    expect(statSync(join(box.in, '00C3')).size).toBe(150);
    expect(result.stdout).toContain(`Retrieving        300 ${paths[2]} --> ${join(box.in, '00C3')} [Done]`);
    expect(readFileSync(join(box.in, '00C4'))).toEqual(patternBytes('00C4', 400));
  });

  it('fails failIds on archive with ANS1228E and leaves the file', async () => {
    writeScenario(box, { failIds: ['00C2'] });
    const paths = makeOutFiles(box, IDS.map((id) => ({ id, size: 10 })));
    const result = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(result.rc).toBe(12);
    expect(result.stderr).toBe(`ANS1228E Sending of object '${paths[1]}' failed.\n`);
    expect(paths.map((path) => existsSync(path))).toEqual([false, true, false, false]);
  });

  it('fails failIds on delete with ANS1345E and keeps the object', async () => {
    writeScenario(box, { failIds: ['00C1'] });
    const { list } = seedFour();
    const result = await run(['delete', 'archive', '-noprompt', `-filelist=${list}`], box.env);
    expect(result.rc).toBe(12);
    expect(listObjects(box.library).map((object) => object.id)).toEqual(['00C1']);
  });
});

describe('delays', () => {
  it('writes a paced retrieve progressively, so a partial file is visible', async () => {
    writeScenario(box, { mountDelayMs: 10, bytesPerSecond: 2000 });
    const path = join(box.out, '00D1');
    seedObject(box.library, { path, sizeBytes: 100_000 });
    const session = start(retrieveArgs(writeList(box, [path]), box.in), box.env);
    const dest = join(box.in, '00D1');
    const size = (): number => (existsSync(dest) ? statSync(dest).size : 0);
    await waitFor(() => size() > 0, 'first chunk');
    expect(size()).toBeLessThan(100_000);
    session.child.kill('SIGKILL');
    await session.done;
  });

  it('prints ANS1345E while the session is still running', async () => {
    writeScenario(box, { bytesPerSecond: 1000 });
    const path = join(box.out, '00D2');
    seedObject(box.library, { path, sizeBytes: 100_000 });
    const unknown = join(box.out, '00D3');
    const session = start(retrieveArgs(writeList(box, [unknown, path]), box.in), box.env);
    await waitFor(() => session.stderr().includes(`ANS1345E No objects on the server match '${unknown}'`), 'ANS1345E');
    expect(session.child.exitCode).toBeNull();
    session.child.kill('SIGKILL');
    await session.done;
  });

  it('uses per-rule overrides and still completes', async () => {
    writeScenario(box, { bytesPerSecond: 1, rules: [{ command: 'retrieve', action: 'succeed', bytesPerSecond: 0, mountDelayMs: 1 }] });
    const { list } = seedFour();
    const result = await run(retrieveArgs(list, box.in), box.env);
    expect(result.rc).toBe(0);
    expect(readJournal(box.library)[0]).toMatchObject({ action: 'succeed' });
  });
});

describe('hold-stdout', () => {
  it('exits with its normal rc but leaves a child holding stdout and stderr open', async () => {
    writeScenario(box, { rules: [{ command: 'query', action: 'hold-stdout' }] });
    const session = start(queryArgs(`${box.out}/*`), box.env);
    let closed = false;
    void session.done.then(() => (closed = true));
    await waitFor(() => endEntry() !== undefined && session.child.exitCode !== null, 'the fake exits');
    const holder = endEntry()?.holderPid ?? -1;
    try {
      expect(session.child.exitCode).toBe(8);
      expect(isAlive(holder)).toBe(true);
      expect(session.stderr()).toContain('ANS1092W');
      expect(closed).toBe(false); // the pipes stay open: a reader waiting for them waits for ever
    } finally {
      if (holder > 0) process.kill(holder, 'SIGKILL');
    }
    expect((await session.done).rc).toBe(8);
  });
});

describe('long-line', () => {
  it('prints lineBytes characters without a newline, then goes on as normal', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'long-line', lineBytes: 300_000, afterFiles: 1 }] });
    const paths = makeOutFiles(box, [{ id: '00E1', size: 10 }, { id: '00E2', size: 10 }]);
    const result = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(result.rc).toBe(0);
    const lines = result.stdout.split('\n');
    const long = lines.findIndex((line) => line.length === 300_000);
    expect(lines[long]).toMatch(/^x+$/);
    expect(lines[long - 1]).toContain(`${paths[0]} [Sent]`);
    expect(lines[long + 1]).toContain(`${paths[1]} [Sent]`);
    expect(listObjects(box.library)).toHaveLength(2);
  });
});

describe('flood', () => {
  it('prints floodMessages messages of a few codes, I on stdout, W and E on stderr', async () => {
    writeScenario(box, { rules: [{ command: 'query', action: 'flood', floodMessages: 1000 }] });
    const result = await run(queryArgs(`${box.out}/*`), box.env);
    expect(result.rc).toBe(8);
    const codes = (text: string): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const match of text.matchAll(/^(AN[A-Z]\d{4}[A-Z]) /gm)) counts[match[1] as string] = (counts[match[1] as string] ?? 0) + 1;
      return counts;
    };
    expect(codes(result.stderr)).toEqual({ ANS1228E: 250, ANS4005E: 250, ANS1809W: 250, ANS1092W: 1 });
    expect(codes(result.stdout)).toEqual({ ANS1898I: 250 });
  });
});
