// Worker thread of HashPool: hashes each batch of files it is sent on
// synchronous calls through one reused buffer, and replies with the results in the batch's order.
import { parentPort } from 'node:worker_threads';
import { CHUNK_BYTES } from './readFileOnce.js';
import { hashFilesBatch } from './hashFilesBatch.js';
import type { PoolBatch } from './HashPool.js';

const buf = Buffer.allocUnsafe(CHUNK_BYTES);

parentPort!.on('message', (batch: PoolBatch) => {
  const results = hashFilesBatch(batch.items, buf);
  parentPort!.postMessage({ id: batch.id, results });
});
