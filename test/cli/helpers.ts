import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { CliIo } from '../../src/cli/cli-io.js';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A pool as `endit status` sees it: config, pool dir with subdirs, stats dir; nothing running. */
export interface CliFixture {
  readonly root: string;
  readonly dir: string;
  readonly statsdir: string;
  readonly config: string;
  readonly override: string;
  readonly hintfile: string;
  writeConfig(extra?: Record<string, string | number>): void;
  writeStats(daemon: string, figures: Record<string, number>): void;
  writeLock(daemon: string, pid: number): void;
  writeRequest(id: string, json: Record<string, unknown>): void;
  writeHints(hints: unknown): void;
}

export function createFixture(config: Record<string, string | number> = {}): CliFixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-cli-'));
  roots.push(root);
  const dir = path.join(root, 'pool');
  const statsdir = path.join(root, 'stats');
  for (const d of [dir, statsdir, path.join(dir, 'request'), path.join(root, 'log')]) fs.mkdirSync(d, { recursive: true });
  const fixture: CliFixture = {
    root,
    dir,
    statsdir,
    config: path.join(root, 'endit.conf'),
    override: path.join(root, 'override.json'),
    hintfile: path.join(root, 'hints.json'),
    writeConfig(extra = {}) {
      const entries = {
        'desc-short': 'pool7',
        'desc-long': 'CLI test pool',
        dir,
        logdir: path.join(root, 'log'),
        currstatsdir: statsdir,
        confoverridefile: fixture.override,
        dsmcopts: '-asnode=NODE',
        // Any executable file: check-config looks for it.
        dsmc_executable: process.execPath,
        sleeptime: 10,
        ...config,
        ...extra,
      };
      fs.writeFileSync(fixture.config, `${Object.entries(entries).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
    },
    writeStats(daemon, figures) {
      fs.writeFileSync(path.join(statsdir, `pool7-${daemon}-stats.json`), JSON.stringify(figures));
    },
    writeLock(daemon, pid) {
      fs.writeFileSync(path.join(dir, `.endit-${daemon}.lock`), `${JSON.stringify({ pid })}\n`);
    },
    writeRequest(id, json) {
      fs.writeFileSync(path.join(dir, 'request', id), JSON.stringify(json));
    },
    writeHints(hints) {
      fs.writeFileSync(fixture.hintfile, JSON.stringify(hints));
    },
  };
  fixture.writeConfig();
  return fixture;
}

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface EnditOptions {
  env?: Record<string, string>;
  nowMs?: number;
  /** Start times of processes by pid (unix seconds); others are unknown. */
  processStartSec?: Record<number, number>;
}

/** Runs `endit <argv>` in this process with captured output. */
export async function endit(argv: string[], options: EnditOptions = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (text) => (out += text),
    err: (text) => (err += text),
    env: options.env ?? {},
    nowMs: () => options.nowMs ?? Date.now(),
    pid: process.pid,
    processStartSec: (pid) => options.processStartSec?.[pid],
    outIsTty: false,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** A pid that certainly belonged to a process that has exited. */
export function deadPid(): number {
  const { pid } = spawnSync('true');
  return pid;
}

/** A pnfsid-like id, distinct per n. */
export function hexId(n: number): string {
  return `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;
}
