// Worker thread: scans segments of a metrics.jsonl (complete lines only) and reports findings
// and the state the main thread needs to merge them in file order.
import { parentPort } from 'node:worker_threads';
import type { Finding } from '../finding.js';
import { JsonlScanner } from '../kinds/JsonlScanner.js';
import type { SegmentJob, SegmentReply } from './segmentMessages.js';

parentPort!.on('message', (job: SegmentJob) => {
  const findings: Finding[] = [];
  const scanner = new JsonlScanner(
    {
      run: job.run,
      path: job.path,
      maxPerCode: job.maxPerCode,
      start: { offset: job.fileOffset, lineNo: 0, lastNewlineEnd: job.fileOffset, lastStep: null },
    },
    (f) => findings.push(f),
  );
  scanner.push(Buffer.from(job.buffer, 0, job.length));
  const reply: SegmentReply = { seq: job.seq, buffer: job.buffer, findings, ...scanner.segmentResult() };
  parentPort!.postMessage(reply, [job.buffer]);
});
