import type { Finding } from '../../../finding.js';
import { JsonlScanner } from '../kinds/JsonlScanner.js';
import type { SegmentJob, SegmentReply } from './segmentMessages.js';

/** Scans one segment of complete lines apart from the rest of the file (on a worker, or inline while workers start). */
export function scanSegment(job: SegmentJob): SegmentReply {
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
  return { seq: job.seq, buffer: job.buffer, findings, ...scanner.segmentResult() };
}
