// Worker thread of HashPool: hashes each batch it is sent (files, or whole directory trees) on
// synchronous calls through one reused buffer, and replies with the results in the batch's order.
import { parentPort } from 'node:worker_threads';
import { CHUNK_BYTES } from './readFileOnce.js';
import { hashFilesBatch, hashTreesBatch } from './hashFilesBatch.js';
import type { PoolBatch } from './HashPool.js';

const buf = Buffer.allocUnsafe(CHUNK_BYTES);

parentPort!.on('message', (batch: PoolBatch) => {
  const results = batch.kind === 'files' ? hashFilesBatch(batch.items, buf) : hashTreesBatch(batch.items, buf);
  parentPort!.postMessage({ id: batch.id, results });
});
