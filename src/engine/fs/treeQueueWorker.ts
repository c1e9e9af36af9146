// Worker thread of TreeQueue: takes directories from the shared queue one at a time, walks and
// hashes each (hashTreesBatch), and sends the results a batch at a time, never more than
// AHEAD batches (of all workers) before the calling thread has taken them (memory stays flat).
import { workerData, type MessagePort } from 'node:worker_threads';
import { CHUNK_BYTES } from './readFileOnce.js';
import { hashTreesBatch, type TreeEntry } from './hashFilesBatch.js';
import { encodeTrees } from './treeBatch.js';
import { AHEAD, BATCH_ENTRIES, NEXT, POSTED, STOP, TAKEN } from './treeQueueSlots.js';

const { dirs, shared, port } = workerData as { dirs: string[]; shared: SharedArrayBuffer; port: MessagePort };
const slots = new Int32Array(shared);
const buf = Buffer.allocUnsafe(CHUNK_BYTES);
let batch: Array<[number, TreeEntry[]]> = [];
let entries = 0;

const send = (last: boolean, error?: string): void => {
  port.postMessage({ trees: batch.length > 0 ? encodeTrees(batch) : undefined, last, error });
  batch = [];
  entries = 0;
  Atomics.add(slots, POSTED, 1);
  Atomics.notify(slots, POSTED);
};

try {
  for (;;) {
    if (Atomics.load(slots, STOP)) break;
    for (let taken = Atomics.load(slots, TAKEN); Atomics.load(slots, POSTED) - taken >= AHEAD && !Atomics.load(slots, STOP); taken = Atomics.load(slots, TAKEN)) {
      Atomics.wait(slots, TAKEN, taken, 200);
    }
    const i = Atomics.add(slots, NEXT, 1);
    if (i >= dirs.length) break;
    const found = hashTreesBatch([dirs[i]!], buf)[0]!;
    batch.push([i, found]);
    entries += found.length + 1;
    if (entries >= BATCH_ENTRIES) send(false);
  }
  send(true);
} catch (err) {
  send(true, (err as Error).stack ?? String(err));
}
