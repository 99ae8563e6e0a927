// The real stat worker (dist/), telling the test each batch it gets (BroadcastChannel: same process, any thread).
import { BroadcastChannel, workerData } from 'node:worker_threads';
// First: its listener is on the port before the first batch comes (a listener added later misses it).
import '../../../dist/core/pool/stat-worker.js';

const channel = new BroadcastChannel('endit-stat-worker-test');
workerData.port.on('message', () => channel.postMessage('batch'));
