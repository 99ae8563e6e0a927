/**
 * Worker thread of a full listing of request/: reads the directory and
 * lstat()s every request name, posting batches (odd entries too) to the main thread. On a
 * million files the stat calls are most of the listing's time; here they
 * run on the second core while the main thread loads the hint file and
 * files what arrives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fs from 'node:fs';
import { classifyListedEntry, type OddRequestEntry } from './scan-requests.js';
import type { ListBatch, ListWorkerInput } from './request-lister.js';
import { keepYoungGenerationSmall } from '../core/runtime/heap-growth.js';

// V8's flags belong to the process, and starting this thread's heap sets the
// young generation's growth factor back to its default (seen on node 20.20):
// the main thread, busy loading the hint file, then let its own young
// generation grow to 32 MiB. Set again from here: the main thread may not
// get to it for seconds. Measured with 1M requests: the main thread's new
// space 32 -> 4 MiB, peak RSS 384 -> 344 MiB.
keepYoungGenerationSmall();

const BATCH = 8192;

function run(input: ListWorkerInput): void {
  const port = parentPort;
  if (port === null) return;
  const handle = fs.opendirSync(input.dir, { bufferSize: 4096 });
  let names: string[] = [];
  let odd: OddRequestEntry[] = [];
  let mtimes = new Float64Array(BATCH);
  let sizes = new Float64Array(BATCH);
  const flush = (): void => {
    const batch: ListBatch = { kind: 'batch', names, mtimesMs: mtimes.subarray(0, names.length), sizesBytes: sizes.subarray(0, names.length), odd };
    port.postMessage(batch, [mtimes.buffer, sizes.buffer]);
    names = [];
    odd = [];
    mtimes = new Float64Array(BATCH);
    sizes = new Float64Array(BATCH);
  };
  try {
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      const listed = classifyListedEntry(input.dir, entry);
      if (listed === null) continue;
      if ('problem' in listed) odd.push(listed);
      else {
        mtimes[names.length] = listed.stat.mtimeMs;
        sizes[names.length] = listed.stat.sizeBytes;
        names.push(listed.name);
      }
      if (names.length === BATCH || odd.length === BATCH) flush();
    }
    if (names.length > 0 || odd.length > 0) flush();
    port.postMessage({ kind: 'done' } satisfies ListBatch);
  } finally {
    handle.closeSync();
  }
}

run(workerData as ListWorkerInput);
