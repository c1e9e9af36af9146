import type { Finding } from '../../../finding.js';
import type { JsonlSegmentResult } from '../kinds/JsonlScanner.js';

/** Main thread -> worker: complete lines [0, length) of `buffer`, found at `fileOffset` in the file. */
export interface SegmentJob {
  seq: number;
  buffer: ArrayBuffer;
  length: number;
  fileOffset: number;
  run: string | null;
  path: string;
  maxPerCode: number;
}

/** Worker -> main thread: the segment's findings (lines relative to the segment) and the buffer back for reuse. */
export interface SegmentReply extends JsonlSegmentResult {
  seq: number;
  buffer: ArrayBuffer;
  findings: Finding[];
}
