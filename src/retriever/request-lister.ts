import { Worker } from 'node:worker_threads';
import { scanRequestDir, type OddRequestEntry, type RequestFileStat } from './scan-requests.js';

export interface ListWorkerInput {
  readonly dir: string;
}

export type ListBatch =
  | {
      readonly kind: 'batch';
      readonly names: readonly string[];
      readonly mtimesMs: Float64Array;
      readonly sizesBytes: Float64Array;
      readonly odd: readonly OddRequestEntry[];
    }
  | { readonly kind: 'done' };

type OnFile = (name: string, stat: RequestFileStat) => void;
type OnOdd = (odd: OddRequestEntry) => void;

/** A full listing of request/ that runs while the caller does other work (see list-worker.ts). */
export interface PendingListing {
  /** Files the listing handed out so far; resolves with their number when it is complete, or once `signal` stopped it. */
  readonly done: Promise<number>;
}

/**
 * Starts a full listing of `dir` in a worker thread; `onFile` (request
 * files) and `onOdd` (entries skipped) are called on this thread as batches arrive. If the worker cannot run (or fails), the
 * listing is done here instead, so a listing always completes or rejects.
 * An abort of `signal` (the daemon stops) ends the worker and the listing at
 * once: `done` resolves with what was handed out, the rest never comes.
 */
export function startListing(dir: string, onFile: OnFile, onOdd: OnOdd, signal?: AbortSignal): PendingListing {
  return { done: listInWorker(dir, onFile, onOdd, signal).catch(() => (signal?.aborted === true ? 0 : scanRequestDir(dir, onFile, onOdd, signal))) };
}

function listInWorker(dir: string, onFile: OnFile, onOdd: OnOdd, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    let found = 0;
    let settled = false;
    if (signal?.aborted === true) {
      resolve(0);
      return;
    }
    const worker = new Worker(new URL('./list-worker.js', import.meta.url), {
      workerData: { dir } satisfies ListWorkerInput,
      // It only holds one batch at a time: a small heap keeps the process's peak memory down.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    const stop = (): void => {
      if (settled) return;
      settled = true;
      resolve(found);
      void worker.terminate();
    };
    signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: ListBatch) => {
      if (settled) return;
      if (message.kind === 'done') {
        settled = true;
        resolve(found);
        return;
      }
      const { names, mtimesMs, sizesBytes, odd } = message;
      for (const entry of odd) onOdd(entry);
      for (let i = 0; i < names.length; i++) onFile(names[i] as string, { mtimeMs: mtimesMs[i] as number, sizeBytes: sizesBytes[i] as number });
      found += names.length;
    });
    worker.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', stop);
      if (!settled) reject(new Error(`listing worker exited with code ${code}`));
    });
  });
}
