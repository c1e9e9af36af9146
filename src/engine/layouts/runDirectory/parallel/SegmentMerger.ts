import type { Finding } from '../../../finding.js';
import { FindingCap } from '../../../FindingCap.js';
import { stepOrderMessage, type JsonlScannerStart } from '../kinds/JsonlScanner.js';
import { makeFinding } from '../../../makeFinding.js';
import type { SegmentReply } from './segmentMessages.js';

/**
 * Merges segment results in file order into exactly what one scanner reading the whole file would
 * have emitted: line numbers shifted by the lines before each segment, the step order checked
 * across segment boundaries, and the per-code cap applied to the file as a whole.
 */
export class SegmentMerger {
  private lineNo = 0;
  private lastStep = -1;
  private end = 0;
  private readonly cap: FindingCap;

  constructor(
    private readonly where: { run: string | null; path: string },
    maxPerCode: number,
    private readonly emit: (f: Finding) => void,
  ) {
    this.cap = new FindingCap(maxPerCode);
  }

  /** Adds the next segment, which covered [start, end) of the file (complete lines). */
  add(reply: SegmentReply, end: number): void {
    const emitted = new Map<string, number>();
    const first = reply.firstStep;
    const boundary =
      first && first.step <= this.lastStep
        ? makeFinding('jsonl/step-order', { ...this.where, line: this.lineNo + first.line, offset: first.offset }, stepOrderMessage(first.step, this.lastStep))
        : undefined;
    for (let i = 0; i <= reply.findings.length; i++) {
      // The boundary warning goes where the single scanner would have emitted it: right after the
      // findings of lines before the first step (and of that line's value).
      if (boundary && i === first!.emittedBefore) this.report(boundary);
      const f = reply.findings[i];
      if (!f) break;
      if (f.line !== undefined) f.line += this.lineNo;
      emitted.set(f.code, (emitted.get(f.code) ?? 0) + 1);
      this.report(f);
    }
    // Findings past the worker's own cap were only counted; they come after everything it listed.
    for (const [code, count] of reply.counts) {
      const unlisted = count - (emitted.get(code) ?? 0);
      if (unlisted > 0) this.cap.tally(code).count += unlisted;
    }
    this.lineNo += reply.lines;
    if (reply.lastStep !== null) this.lastStep = reply.lastStep;
    this.end = end;
  }

  /** The state after the merged segments, for the main-thread scanner that reads the rest. */
  state(): JsonlScannerStart {
    return { offset: this.end, lineNo: this.lineNo, lastNewlineEnd: this.end, lastStep: this.lastStep, perCode: this.cap.tallies };
  }

  private report(f: Finding): void {
    if (this.cap.admit(f.code, () => f)) this.emit(f);
  }
}
