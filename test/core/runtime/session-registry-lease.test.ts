import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionRegistry } from '../../../src/core/runtime/session-registry.js';
import { FakeCoordinator } from '../coordination/fake-coordinator.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-lease-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a session gives its group lease back when dsmc has ended (issue 12)', () => {
  it('after a normal end', async () => {
    const coordinator = new FakeCoordinator();
    const lease = await coordinator.acquire({ kind: 'archive' });
    const registry = new SessionRegistry(root, 'archiver', () => false);
    const listFile = path.join(root, 'list');
    fs.writeFileSync(listFile, '');
    const outcome = registry.run({ executable: '/bin/true', args: [], cpuLimitSec: 60, listFile, ...(lease === null ? {} : { lease }) });
    expect(coordinator.released).toBe(0);
    await outcome;
    expect(coordinator.released).toBe(1);
  });

  it('when it is killed (a stop), and only once', async () => {
    const coordinator = new FakeCoordinator();
    const lease = await coordinator.acquire({ kind: 'retrieve', volume: 'V1' });
    const registry = new SessionRegistry(root, 'retriever', () => false);
    const listFile = path.join(root, 'list');
    fs.writeFileSync(listFile, '');
    const outcome = registry.run({ executable: '/bin/sleep', args: ['30'], cpuLimitSec: 60, listFile, ...(lease === null ? {} : { lease }) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(coordinator.held.size).toBe(1);
    await registry.stopAll(5000);
    expect((await outcome).end.kind).toBe('aborted');
    lease?.release();
    expect(coordinator.released).toBe(1);
    expect(coordinator.held.size).toBe(0);
  });
});
