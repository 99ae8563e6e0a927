// isAlive decides whether a lock or a drive belongs to a dead process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/fake-dsmc/lock.js';
import { waitFor } from './helpers.js';

const children: ReturnType<typeof spawn>[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('isAlive', () => {
  it('is true for a running process and false for one that is gone', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(2 ** 22 + 1)).toBe(false); // above Linux's pid_max
  });

  it('counts a zombie (exited, not reaped by its parent) as dead, so a killed session frees its drive', async () => {
    // the shell starts a short sleep in the background, then becomes `sleep`, which never reaps it
    const parent = spawn('/bin/sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor(() => out.includes('\n'), 'the background pid');
    const zombie = Number(out.trim());
    await waitFor(() => stateOf(zombie) === 'Z', 'the background process to exit');
    expect(isAlive(zombie)).toBe(false);
  });
});
