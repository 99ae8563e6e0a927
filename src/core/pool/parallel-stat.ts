import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { statPoolFile } from './scan.js';
import { STAT_FAILED, STAT_FILE, statBatch, type StatColumns, type StatReply, type StatRequest } from './stat-batch.js';
import type { PoolFilesBuilder } from './pool-files.js';

/** New names per batch: about 10 ms of lstat, a message of ~75 KB. */
const BATCH_NAMES = 2048;
/** Batches the worker may hold: one to work on, one waiting, so it never idles between two. */
const MAX_IN_WORKER = 2;

/** Where the stat worker is: beside this module in dist/, beside the archiver's bundle in dist/bundle/. */
export const STAT_WORKER_URL = new URL('./stat-worker.js', import.meta.url);

interface Batch {
  readonly id: number;
  readonly names: string[];
  /** Null while the worker has it. */
  result: StatColumns | null;
}

interface StatThread {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/**
 * The new names of a big listing (issue 15: the first listing of a million
 * files in out/), lstat-ed in batches on both cores: a batch goes to one
 * worker thread when it holds fewer than two, otherwise the main thread
 * stats it itself, and results go to `into` in listing order. The worker
 * starts with the first batch and never keeps the process alive; if it
 * fails, the batches it held are stat-ed here (none lost or doubled) and
 * so is every later batch. `finish` before the caller uses `into`; `close`
 * ends the worker.
 */
export class ParallelStats {
  private names: string[] = [];
  private readonly queue: Batch[] = [];
  private thread: StatThread | null = null;
  private failed = false;
  private inWorker = 0;
  private nextId = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly dir: string,
    private readonly into: PoolFilesBuilder,
    private readonly workerUrl: URL = STAT_WORKER_URL,
  ) {}

  /** A new name of the listing, in listing order. */
  add(name: string): void {
    this.names.push(name);
    if (this.names.length === BATCH_NAMES) this.dispatch();
  }

  /** Every name added so far is stat-ed and in `into`, in order. */
  async finish(): Promise<void> {
    if (this.names.length > 0) this.dispatch();
    for (;;) {
      this.poll();
      this.drain();
      if (this.queue.length === 0) return;
      await this.nextEvent();
    }
  }

  /** Ends the worker (a batch it holds is dropped: call `finish` first to keep it). */
  close(): void {
    const thread = this.thread;
    this.thread = null;
    this.failed = true;
    this.wake?.();
    if (thread === null) return;
    thread.port.close();
    void thread.worker.terminate();
  }

  private dispatch(): void {
    const batch: Batch = { id: this.nextId++, names: this.names, result: null };
    this.names = [];
    this.queue.push(batch);
    this.poll();
    const thread = this.inWorker < MAX_IN_WORKER ? this.started() : null;
    if (thread === null) batch.result = statBatch(this.dir, batch.names);
    else {
      const request: StatRequest = { id: batch.id, dir: this.dir, names: batch.names.join('\n') };
      thread.port.postMessage(request);
      this.inWorker++;
    }
    this.drain();
  }

  /** The worker, started at the first call; null once it failed (or was closed). */
  private started(): StatThread | null {
    if (this.thread !== null || this.failed) return this.thread;
    try {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(this.workerUrl, {
        workerData: { port: port2 },
        transferList: [port2],
        // It holds two batches at most: a small heap keeps the process's memory down.
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
      });
      worker.on('error', () => this.fail(worker));
      worker.on('exit', () => this.fail(worker));
      port1.on('message', (reply: StatReply) => this.onReply(reply));
      worker.unref();
      port1.unref();
      this.thread = { worker, port: port1 };
    } catch {
      this.failed = true;
    }
    return this.thread;
  }

  /** Replies already there are taken at once (no turn of the event loop needed). */
  private poll(): void {
    const port = this.thread?.port;
    if (port === undefined) return;
    for (let got = receiveMessageOnPort(port); got !== undefined; got = receiveMessageOnPort(port)) this.onReply(got.message as StatReply);
  }

  private onReply(reply: StatReply): void {
    const batch = this.queue.find((b) => b.id === reply.id);
    // Already stat-ed here (the worker failed after it answered): the first result stands.
    if (batch === undefined || batch.result !== null) return;
    batch.result = reply;
    this.inWorker--;
    this.wake?.();
  }

  /** The worker failed or ended (not one closed before): what it held is stat-ed here, and from now on every batch. */
  private fail(worker: Worker): void {
    if (this.thread?.worker !== worker) return;
    this.close();
    this.statHeld();
  }

  /** Batches the worker held and will not answer now. */
  private statHeld(): void {
    for (const batch of this.queue) if (batch.result === null) batch.result = statBatch(this.dir, batch.names);
    this.inWorker = 0;
  }

  /** Until a reply comes or the worker fails; the worker keeps the process alive meanwhile. */
  private async nextEvent(): Promise<void> {
    const thread = this.thread;
    if (thread === null) {
      this.statHeld();
      return;
    }
    thread.worker.ref();
    try {
      await new Promise<void>((resolve) => (this.wake = resolve));
    } finally {
      this.wake = undefined;
      if (this.thread === thread) thread.worker.unref();
    }
  }

  /** Batches at the head of the queue whose results are in go to `into`, in listing order. */
  private drain(): void {
    while (this.queue.length > 0 && (this.queue[0] as Batch).result !== null) {
      const { names, result } = this.queue.shift() as Batch;
      const { sizes, mtimes, outcome } = result as StatColumns;
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        if (outcome[i] === STAT_FILE) this.into.push(name, sizes[i] as number, mtimes[i] as number);
        else if (outcome[i] === STAT_FAILED) {
          const file = statPoolFile(this.dir, name);
          if (file !== null) this.into.push(name, file.sizeBytes, file.mtimeMs);
        }
      }
    }
  }
}
