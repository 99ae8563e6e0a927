/**
 * Worker thread of a big listing of out/ (see parallel-stat.ts): lstat()s
 * the batches of new names it is sent on the second core and sends back
 * their sizes, mtimes and outcomes in transferred typed arrays.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { statBatch, type StatReply, type StatRequest } from './stat-batch.js';
import { keepYoungGenerationSmall } from '../runtime/heap-growth.js';

// Starting this thread's heap sets V8's (process-wide) young generation growth
// factor back to its default: set it again, as the retriever's list worker does.
keepYoungGenerationSmall();

const port = (workerData as { readonly port: MessagePort }).port;
port.on('message', (request: StatRequest) => {
  const columns = statBatch(request.dir, request.names.split('\n'));
  const reply: StatReply = { id: request.id, ...columns };
  port.postMessage(reply, [columns.sizes.buffer, columns.mtimes.buffer, columns.outcome.buffer]);
});
