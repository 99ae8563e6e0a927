// runDsmc against the built fake dsmc (npm run build first) and small shell scripts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_KEPT_PER_CODE, MAX_LINE_CHARS, queryArgs, runDsmc, type DsmcRunRequest, type LineClass } from '../../../src/core/dsmc/index.js';
import { SessionRegistry } from '../../../src/core/runtime/session-registry.js';
import { readJournal, type JournalEndEntry } from '../../../src/fake-dsmc/library.js';

const FAKE_DSMC = path.resolve(import.meta.dirname, '../../../bin/fake-dsmc');

let root: string;
const leftovers: number[] = [];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-dsmc-test-'));
  fs.mkdirSync(path.join(root, 'out'));
});

afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** A query of the empty library (rc 8 with ANS1092W) under `scenario`. */
function fakeQuery(scenario: unknown, extra: Partial<DsmcRunRequest> = {}): DsmcRunRequest {
  const scenarioPath = path.join(root, 'scenario.json');
  fs.writeFileSync(scenarioPath, JSON.stringify(scenario));
  return {
    executable: FAKE_DSMC,
    args: queryArgs({ dsmcopts: [], displayopts: ['-dateformat=3', '-timeformat=1', '-numberformat=1'] }, path.join(root, 'out')),
    cpuLimitSec: 600,
    env: { PATH: process.env['PATH'] ?? '', FAKE_DSMC_LIBRARY: path.join(root, 'library'), FAKE_DSMC_SCENARIO: scenarioPath },
    ...extra,
  };
}

function holderPid(): number | undefined {
  const end = readJournal(path.join(root, 'library')).find((entry): entry is JournalEndEntry => entry.event === 'end');
  return end?.holderPid;
}

describe('runDsmc and a child that holds the output open', () => {
  it('fault 9: returns once dsmc exits, with its exit code, and kills the child holding stdout', async () => {
    const outcome = await runDsmc(fakeQuery({ rules: [{ action: 'hold-stdout' }] }));
    const holder = holderPid();
    expect(holder).toBeDefined();
    leftovers.push(holder as number);
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 8 });
    expect(outcome.messages.map((m) => m.code)).toEqual(['ANS1092W']);
    // SIGKILL is sent before runDsmc returns; on a loaded machine the holder may take a moment to die.
    await vi.waitFor(() => expect(isAlive(holder as number)).toBe(false), { timeout: 5000, interval: 20 });
  });

  it('fault 9: the stop path (registry kill + abort) kills the whole process group', async () => {
    const pidFile = path.join(root, 'grandchild.pid');
    const script = path.join(root, 'dsmc.sh');
    fs.writeFileSync(script, `#!/bin/sh\nsleep 3600 &\necho $! > '${pidFile}'\necho started\nwait\n`, { mode: 0o755 });
    const lists = path.join(root, 'requestlists');
    fs.mkdirSync(lists);
    const registry = new SessionRegistry(lists, 'test', () => false);
    let started!: () => void;
    const startedLine = new Promise<void>((resolve) => (started = resolve));
    const running = registry.run({
      executable: script,
      args: [],
      cpuLimitSec: 600,
      listFile: path.join(lists, 'list'),
      onLine: (line) => {
        if (line === 'started') started();
      },
    });
    await startedLine;
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    leftovers.push(grandchild);
    await registry.stopAll(10_000);
    const outcome = await running;
    expect(outcome.end).toEqual({ kind: 'aborted' });
    await vi.waitFor(() => expect(isAlive(grandchild)).toBe(false), { timeout: 5000, interval: 20 });
  });
});

describe('runDsmc and a flood of messages', () => {
  it('fault 17: keeps at most MAX_KEPT_PER_CODE per code, counts all of them exactly, and onLine sees every one', async () => {
    const seen = new Map<string, number>();
    const outcome = await runDsmc(
      fakeQuery(
        { rules: [{ action: 'flood', floodMessages: 200_000 }] },
        {
          onLine: (_line: string, cls: LineClass) => {
            if (cls.kind === 'message') seen.set(cls.message.code, (seen.get(cls.message.code) ?? 0) + 1);
          },
        },
      ),
    );
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 8 });
    const expected = new Map([['ANS1228E', 50_000], ['ANS4005E', 50_000], ['ANS1809W', 50_000], ['ANS1898I', 50_000], ['ANS1092W', 1]]);
    expect(new Map(outcome.messageCounts)).toEqual(expected);
    expect(seen).toEqual(expected);
    expect(outcome.messages).toHaveLength(4 * MAX_KEPT_PER_CODE + 1);
    expect(outcome.droppedMessages).toBe(200_000 - 4 * MAX_KEPT_PER_CODE);
    // the first ones of each code, in order
    expect(outcome.messages.filter((m) => m.code === 'ANS1228E')[0]?.quotedPath).toBe('/flood/0');
    expect(outcome.messages.at(-1)?.code).toBe('ANS1092W');
  });

  it('fault 17: keepMessage still chooses which messages are kept at all', async () => {
    const outcome = await runDsmc(fakeQuery({ rules: [{ action: 'flood', floodMessages: 1000 }] }, { keepMessage: (m) => m.code === 'ANS1228E' }));
    expect(outcome.messages.map((m) => m.code)).toEqual(Array(MAX_KEPT_PER_CODE).fill('ANS1228E'));
    expect(outcome.droppedMessages).toBe(250 - MAX_KEPT_PER_CODE);
    expect(outcome.messageCounts?.get('ANS4005E')).toBe(250);
  });
});

describe('runDsmc and a line without end', () => {
  it('fault 14: cuts a 20 MB line to MAX_LINE_CHARS, counts what it dropped, and reads on', async () => {
    const lengths: number[] = [];
    const lineBytes = 20 * 1024 * 1024;
    const outcome = await runDsmc(fakeQuery({ rules: [{ action: 'long-line', lineBytes }] }, { onLine: (line) => lengths.push(line.length) }));
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 8 });
    expect(Math.max(...lengths)).toBe(MAX_LINE_CHARS);
    expect(outcome.truncatedLines).toBe(1);
    expect(outcome.droppedLineChars).toBe(lineBytes - MAX_LINE_CHARS);
    expect(outcome.messages.map((m) => m.code)).toEqual(['ANS1092W']);
  });
});

describe('runDsmc with a dsmc_executable that cannot run', () => {
  it.each([
    ['missing', () => path.join(root, 'no', 'dsmc'), (p: string) => `dsmc_executable ${p}: not found`],
    ['not executable', () => {
      const p = path.join(root, 'dsmc');
      fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o644 });
      return p;
    }, (p: string) => `dsmc_executable ${p}: not executable`],
    ['a directory', () => root, (p: string) => `dsmc_executable ${p}: not executable (not a regular file)`],
  ])('fault 16: %s: the error names the path', async (_name, make, message) => {
    const executable = make();
    const outcome = await runDsmc({ executable, args: ['query'], cpuLimitSec: 60 });
    expect(outcome.end).toEqual({ kind: 'spawn-failed', error: message(executable) });
  });

  it('fault 16: a bare name not in PATH says so', async () => {
    const outcome = await runDsmc({ executable: 'no-such-dsmc', args: [], cpuLimitSec: 60, env: { PATH: '/nonexistent' } });
    expect(outcome.end).toEqual({ kind: 'spawn-failed', error: 'dsmc_executable no-such-dsmc: not found in PATH (/nonexistent)' });
  });
});

describe('runDsmc with a stall watchdog', () => {
  it('issue 11: kills a dsmc (and its group) that prints nothing and makes no progress; the end is stalled', async () => {
    const pidFile = path.join(root, 'grandchild.pid');
    const script = path.join(root, 'dsmc.sh');
    fs.writeFileSync(script, `#!/bin/sh\nsleep 3600 &\necho $! > '${pidFile}'\necho started\nwait\n`, { mode: 0o755 });
    const outcome = await runDsmc({ executable: script, args: [], cpuLimitSec: 600, stall: { stallMs: 300, probe: () => 0 } });
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    leftovers.push(grandchild);
    expect(outcome.end.kind).toBe('stalled');
    expect(isAlive(grandchild)).toBe(false);
  });

  it('issue 11: progress the probe sees keeps a silent dsmc alive to its end', async () => {
    const landed = path.join(root, 'landed');
    const script = path.join(root, 'dsmc.sh');
    // 1.5 s of writing without a line of output, against a 400 ms watchdog.
    fs.writeFileSync(script, `#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do printf x >> '${landed}'; sleep 0.1; done\nexit 0\n`, { mode: 0o755 });
    const probe = (): number => fs.statSync(landed, { throwIfNoEntry: false })?.size ?? 0;
    const outcome = await runDsmc({ executable: script, args: [], cpuLimitSec: 600, stall: { stallMs: 400, probe } });
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 0 });
    expect(probe()).toBe(15);
  });

  it('issue 11: without a watch a silent dsmc runs to its end', async () => {
    const script = path.join(root, 'dsmc.sh');
    fs.writeFileSync(script, '#!/bin/sh\nsleep 0.5\nexit 3\n', { mode: 0o755 });
    const outcome = await runDsmc({ executable: script, args: [], cpuLimitSec: 600 });
    expect(outcome.end).toEqual({ kind: 'exited', exitCode: 3 });
  });
});
