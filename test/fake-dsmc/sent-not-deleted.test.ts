// The sent-not-deleted scenario action: archive stores and reports each file, but leaves it.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listObjects } from '../../src/fake-dsmc/library.js';
import type { Sandbox } from './helpers.js';
import { archiveArgs, makeOutFiles, makeSandbox, removeSandbox, run, writeList, writeScenario } from './helpers.js';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox();
});

afterEach(() => {
  removeSandbox(box);
});

const IDS = ['00D1', '00D2', '00D3'];

describe('sent-not-deleted', () => {
  it('prints [Sent] and ANS4007E for each file, stores each once, leaves the files and exits 8', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'sent-not-deleted' }] });
    const paths = makeOutFiles(box, IDS.map((id) => ({ id, size: 1000 })));
    const result = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(result.rc).toBe(8);
    for (const path of paths) {
      expect(result.stdout).toContain(`Normal File-->             1,000 ${path} [Sent]`);
      expect(result.stderr).toContain(`ANS4007E Error processing '${path}': access to the object is denied`);
      expect(existsSync(path)).toBe(true);
    }
    expect(listObjects(box.library).map((o) => o.id)).toEqual(IDS);
  });

  it('takes the rule rc, applies `times` sessions only, then archive deletes again', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'sent-not-deleted', times: 1, rc: 12 }] });
    const paths = makeOutFiles(box, IDS.map((id) => ({ id, size: 10 })));
    expect((await run(archiveArgs(writeList(box, paths)), box.env)).rc).toBe(12);
    const second = await run(archiveArgs(writeList(box, paths)), box.env);
    expect(second.rc).toBe(0);
    expect(second.stderr).toBe('');
    expect(paths.map((path) => existsSync(path))).toEqual([false, false, false]);
  });

  it('removes nothing without -deletefiles and says nothing about it', async () => {
    writeScenario(box, { rules: [{ command: 'archive', action: 'sent-not-deleted' }] });
    const paths = makeOutFiles(box, IDS.map((id) => ({ id, size: 10 })));
    const list = writeList(box, paths);
    const result = await run(archiveArgs(list).filter((arg) => arg !== '-deletefiles'), box.env);
    expect(result.rc).toBe(0);
    expect(result.stderr).toBe('');
  });
});
