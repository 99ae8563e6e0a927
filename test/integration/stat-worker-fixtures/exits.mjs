// A stat worker (dist/'s statBatch) that answers its first batch and ends at its second without answering it.
import { workerData } from 'node:worker_threads';
import { statBatch } from '../../../dist/core/pool/stat-batch.js';

let batches = 0;
workerData.port.on('message', (request) => {
  if (++batches === 2) process.exit(3);
  const columns = statBatch(request.dir, request.names.split('\n'));
  workerData.port.postMessage({ id: request.id, ...columns }, [columns.sizes.buffer, columns.mtimes.buffer, columns.outcome.buffer]);
});
