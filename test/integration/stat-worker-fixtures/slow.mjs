// The real stat worker (dist/), resting 100 ms after each batch: batches are still in it when the listing yields.
import { BroadcastChannel, workerData } from 'node:worker_threads';
// First: its listener is on the port before the first batch comes (a listener added later misses it).
import '../../../dist/core/pool/stat-worker.js';

const channel = new BroadcastChannel('endit-stat-worker-test');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
workerData.port.on('message', () => {
  channel.postMessage('batch');
  Atomics.wait(sleeper, 0, 0, 100);
});
