import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, killGroupHard, waitForExit } from '../../../src/core/runtime/proc.js';

describe('killGroupHard (orphan recovery after a crash)', () => {
  it('kills a group-leading dsmc and the child it left behind', async () => {
    // A stand-in dsmc in its own group that leaves a child behind, as `hold-stdout` does.
    const leader = spawn('/bin/sh', ['-c', 'sleep 600 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const childPid = await new Promise<number>((resolve) => leader.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const leaderPid = leader.pid as number;
    expect(isProcessAlive(childPid)).toBe(true);
    killGroupHard(leaderPid);
    await waitForExit([leaderPid, childPid], 5000);
    expect(isProcessAlive(childPid)).toBe(false);
  });

  it('kills a process that leads no group by itself, and only it', async () => {
    const lone = spawn('sleep', ['600'], { stdio: 'ignore' });
    const pid = lone.pid as number;
    killGroupHard(pid);
    await waitForExit([pid], 5000);
    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
  });
});
