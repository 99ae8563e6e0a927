/**
 * A full filesystem, simulated: every FileHandle.writeFile (how queue files
 * are written) writes part of its data and then fails with ENOSPC.
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { vi, type MockInstance } from 'vitest';

/** The prototype every FileHandle shares: a spy on it reaches every handle. */
export async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await fsp.open(import.meta.filename, 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

export interface FailingWrites {
  /** Temporary names present in `dir` when a write failed. */
  readonly tempsSeen: string[];
  readonly spy: MockInstance;
}

/** Makes writes fail halfway until `spy.mockRestore()`. */
export async function failWritesHalfway(dir: string): Promise<FailingWrites> {
  const proto = await fileHandlePrototype();
  const original = proto.writeFile;
  const tempsSeen: string[] = [];
  const spy = vi.spyOn(proto, 'writeFile').mockImplementation(async function (this: FileHandle) {
    await original.call(this, '["0000');
    tempsSeen.push(...fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
  });
  return { tempsSeen, spy };
}
