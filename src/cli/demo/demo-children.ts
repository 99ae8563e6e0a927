import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { binPath } from './demo-setup.js';

/** A program the demo started, with the tail of what it printed. */
export interface DemoChild {
  readonly program: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  hasExited(): boolean;
}

const OUTPUT_TAIL_CHARS = 4000;

/**
 * Starts `bin/<program> --config <config>` in its own process group, so that
 * Ctrl-C reaches only the demo, which then stops it with SIGTERM.
 */
export function startDemoChild(program: string, config: string, env: Record<string, string>): DemoChild {
  const child = spawn(process.execPath, [binPath(program), '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: '/' });
  let output = '';
  const keep = (data: Buffer): void => {
    output = (output + data.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      done = true;
      output += `\n${error.message}`;
      resolve({ code: null, signal: null });
    });
  });
  return { program, pid: child.pid ?? 0, child, exited, output: () => output, hasExited: () => done };
}

/** SIGTERM to each, wait up to `timeoutMs`, then SIGKILL the rest. Returns the programs that needed SIGKILL. */
export async function stopDemoChildren(children: readonly DemoChild[], timeoutMs: number): Promise<string[]> {
  const running = children.filter((c) => !c.hasExited());
  for (const c of running) c.child.kill('SIGTERM');
  // An unreferenced timer: it must not keep the process alive once everything has exited.
  const timedOut = await Promise.race([Promise.all(running.map((c) => c.exited)).then(() => false), sleep(timeoutMs, true, { ref: false })]);
  if (!timedOut) return [];
  const stuck = running.filter((c) => !c.hasExited());
  for (const c of stuck) c.child.kill('SIGKILL');
  await Promise.all(stuck.map((c) => c.exited));
  return stuck.map((c) => c.program);
}

/** SIGKILL to every process of this user whose command line mentions `root` (fake dsmc left by a killed daemon). */
export function killProcessesUnder(root: string): number {
  let killed = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return killed;
}
