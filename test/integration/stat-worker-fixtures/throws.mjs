// Fails (an 'error' event) at its first batch, before answering it.
import { workerData } from 'node:worker_threads';

workerData.port.on('message', () => {
  throw new Error('stat worker test: failing on purpose');
});
