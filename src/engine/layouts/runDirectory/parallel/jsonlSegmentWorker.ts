// Worker thread: scans segments of a metrics.jsonl (complete lines only) and reports findings
// and the state the main thread needs to merge them in file order.
import { parentPort } from 'node:worker_threads';
import { scanSegment } from './scanSegment.js';
import type { SegmentJob } from './segmentMessages.js';

parentPort!.on('message', (job: SegmentJob) => {
  const reply = scanSegment(job);
  parentPort!.postMessage(reply, [reply.buffer]);
});
