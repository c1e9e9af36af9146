import { FindingCap, MAX_LISTED, type CodeTally } from '../../../FindingCap.js';
import { isAscii, isUtf8 } from 'node:buffer';
import type { FindingCode } from '../../../codes.js';
import type { Finding, FixAction } from '../../../finding.js';
import { makeFinding } from '../../../makeFinding.js';
import { parseJsonTolerant } from '../../../parseJsonTolerant.js';
import { fastMetricsLine, fastMetricsStep, lastLineEnd, lastLineHadBareNonfinite } from './fastMetricsStep.js';
import { firstError, validators, type Validator } from '../../../validators.js';

const NEWLINE = 0x0a;
const NUL = 0x00;
/** A record longer than this is not a metrics record; the scanner stops buffering it so memory stays bounded. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const ZEROS = Buffer.alloc(64 * 1024);
/** Bytes of whole lines decoded into one string (below V8's large-object size). */
const DECODE_BLOCK_BYTES = 64 * 1024;

export interface JsonlScannerOptions {
  run: string | null;
  path: string;
  /** A writer is appending right now: an unfinished last line is expected, not damage. */
  live?: boolean;
  /** Validator for each record; defaults to schemas/metrics-line.schema.json. */
  validate?: Validator;
  /** Report at most this many findings of one code per file; the rest are counted in `more`. */
  maxPerCode?: number;
  /** Check that steps never go backwards (metrics.jsonl); off for other JSONL streams. */
  checkStepOrder?: boolean;
  /** Where in the file the first pushed byte is, and what came before it (default: the file's start). */
  start?: JsonlScannerStart;
}

/** How many findings of one code a file produced so far, and the last one listed (which `more` goes on). */
export type { CodeTally };

/**
 * The scan state at a line boundary, so a file can be scanned in pieces: by workers, one segment
 * each, and by a main-thread scanner that takes over where the merged segments end.
 */
export interface JsonlScannerStart {
  /** File offset of the first byte pushed; it must be the start of a line. */
  offset: number;
  /** Lines before `offset`. */
  lineNo: number;
  lastNewlineEnd: number;
  /**
   * Step of the last record before `offset`, -1 when none; null when unknown (a segment scanned
   * apart from what precedes it): the first step is then remembered for the merge, not compared.
   */
  lastStep: number | null;
  /** Per-code tallies so far, so the finding cap and `more` span the whole file. */
  perCode?: Map<string, CodeTally>;
}

/** What a segment scanned with an unknown previous step tells the merge besides its findings. */
export interface JsonlSegmentResult {
  lines: number;
  /** Step of the segment's last record, null when it has none. */
  lastStep: number | null;
  /** Its first record with a step: where it is and how many findings were emitted before its step check. */
  firstStep?: { step: number; line: number; offset: number; emittedBefore: number };
  /** Findings per code, including those past the cap that were not emitted. */
  counts: Array<[string, number]>;
}

/** The shape of the file's end, which repair needs: where the last complete line ends. */
export interface JsonlSummary {
  bytes: number;
  lines: number;
  /** Byte offset just past the last '\n' (0 when the file has none). */
  lastNewlineEnd: number;
  /** The bytes after the last '\n', if any, and what they are. */
  tail?: { offset: number; line: number; bytes: number; kind: 'record' | 'partial' | 'nul' | 'live' };
}

/**
 * A tolerant JSONL line scanner, fed chunk by chunk: it knows what abrupt shutdowns leave behind
 * (a cut-off last line, NUL runs, torn UTF-8) and reports each with its line number and byte offset.
 * It never keeps more than one line (and at most MAX_LINE_BYTES of it) in memory.
 */
export class JsonlScanner {
  private readonly opts: JsonlScannerOptions;
  private readonly emit: (f: Finding) => void;
  private readonly validate: Validator;
  /** The schema is metrics-line's: usual lines may skip JSON.parse + ajv (see fastMetricsStep). */
  private readonly fastPath: boolean;
  private readonly cap: FindingCap;
  private readonly startLineNo: number;

  private offset: number; // file offset of the next byte pushed
  private lineNo: number;
  private lastStep: number | null;
  private lastNewlineEnd: number;
  private emitted = 0;
  /** The block of whole lines being scanned, decoded only if a line needs JSON.parse. */
  private block?: { buf: Buffer; start: number; end: number; text: string | undefined };
  private firstStep?: JsonlSegmentResult['firstStep'];
  // the unfinished line carried between chunks
  private carry: Buffer[] = [];
  private carryLen = 0;
  private carryTotal = 0; // bytes of the line so far, including what was not kept
  private carryAllNul = true;
  private carryStart = 0;

  constructor(opts: JsonlScannerOptions, emit: (f: Finding) => void) {
    this.opts = opts;
    this.emit = emit;
    this.validate = opts.validate ?? validators.metricsLine;
    this.fastPath = this.validate === validators.metricsLine;
    const start = opts.start;
    this.offset = start?.offset ?? 0;
    this.lineNo = this.startLineNo = start?.lineNo ?? 0;
    this.lastNewlineEnd = start?.lastNewlineEnd ?? 0;
    this.lastStep = start ? start.lastStep : -1;
    this.cap = new FindingCap(opts.maxPerCode ?? MAX_LISTED, start?.perCode);
  }

  /** Feeds the next bytes of the file. The caller may reuse `chunk` once this returns. */
  push(chunk: Buffer): void {
    let pos = 0;
    const base = this.offset;
    this.offset += chunk.length;
    if (this.carryTotal > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.addToCarry(chunk, 0, chunk.length);
        return;
      }
      this.addToCarry(chunk, 0, nl);
      this.finishCarriedLine(base + nl + 1);
      pos = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl >= pos) {
      this.lines(chunk, pos, lastNl, base);
      this.block = undefined;
      pos = lastNl + 1;
      this.lastNewlineEnd = base + pos;
    }
    if (pos < chunk.length) {
      this.carryStart = base + pos;
      this.addToCarry(chunk, pos, chunk.length);
    }
  }

  /**
   * The complete lines of chunk[pos, lastNl]: the hot loop, in a method of its own with nothing
   * after the loop (push clears `block`). V8 compiles the loop while it runs the first chunk, when
   * code past it has never run; such code, lacking type feedback, sent the optimized loop back to
   * the interpreter at every chunk's end (seen with --trace-deopt).
   */
  private lines(chunk: Buffer, pos: number, lastNl: number, base: number): void {
    let nextNul = chunk.indexOf(NUL, pos);
    while (pos <= lastNl) {
      // Lines are checked a block of whole lines at a time: one native UTF-8/ASCII pass per
      // block, and, for lines that need JSON.parse, one decode per block (lineText). Blocks stay
      // small so their strings die young: a 1 MiB string lives in V8's large-object space until
      // a full GC, and peak memory grew by ~70 MB with them.
      let blockEnd = lastNl;
      if (lastNl - pos >= DECODE_BLOCK_BYTES) {
        blockEnd = chunk.lastIndexOf(NEWLINE, pos + DECODE_BLOCK_BYTES - 1);
        if (blockEnd < pos) blockEnd = chunk.indexOf(NEWLINE, pos); // one line longer than a block
      }
      const block = chunk.subarray(pos, blockEnd + 1);
      const ascii = isAscii(block);
      const utf8Ok = ascii || isUtf8(block);
      this.block = ascii && block.length <= DECODE_BLOCK_BYTES ? { buf: chunk, start: pos, end: blockEnd + 1, text: undefined } : undefined;
      while (pos <= blockEnd) {
        if (this.fastPath) {
          // The usual line: checked and its end found in one pass over its bytes.
          const step = fastMetricsLine(chunk, pos, blockEnd + 1, utf8Ok);
          if (step >= 0) {
            this.lineNo++;
            if (lastLineHadBareNonfinite()) this.reportNonfinite(base + pos);
            this.checkStep(step, base + pos);
            pos = lastLineEnd() + 1;
            continue;
          }
        }
        const e = chunk.indexOf(NEWLINE, pos);
        let hasNul = false;
        if (nextNul !== -1 && nextNul < e) {
          hasNul = true;
          nextNul = chunk.indexOf(NUL, e + 1);
        }
        this.line(chunk, pos, e, base + pos, !utf8Ok, hasNul, false);
        pos = e + 1;
      }
    }
  }

  /** Ends the file: classifies what follows the last newline and returns the file's shape. */
  end(): JsonlSummary {
    const summary: JsonlSummary = { bytes: this.offset, lines: this.lineNo, lastNewlineEnd: this.lastNewlineEnd };
    if (this.carryTotal > 0) summary.tail = this.finishTail();
    this.cap.fold('in this file');
    return summary;
  }

  /** For a segment that ends at a line end, scanned with an unknown previous step: what the merge needs. */
  segmentResult(): JsonlSegmentResult {
    if (this.carryTotal > 0) throw new Error('a segment must end at a line end');
    const result: JsonlSegmentResult = {
      lines: this.lineNo - this.startLineNo,
      lastStep: this.lastStep,
      counts: [...this.cap.tallies].map(([code, t]) => [code, t.count]),
    };
    if (this.firstStep) result.firstStep = this.firstStep;
    return result;
  }

  private addToCarry(chunk: Buffer, s: number, e: number): void {
    if (e <= s) return;
    if (this.carryAllNul) this.carryAllNul = isAllNul(chunk, s, e);
    if (this.carryLen + (e - s) <= MAX_LINE_BYTES) {
      this.carry.push(Buffer.from(chunk.subarray(s, e)));
      this.carryLen += e - s;
    }
    this.carryTotal += e - s;
  }

  private takeCarry(): { buf: Buffer; complete: boolean; total: number; allNul: boolean; start: number } {
    const taken = {
      buf: this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryLen),
      complete: this.carryTotal === this.carryLen,
      total: this.carryTotal,
      allNul: this.carryAllNul,
      start: this.carryStart,
    };
    this.carry = [];
    this.carryLen = 0;
    this.carryTotal = 0;
    this.carryAllNul = true;
    return taken;
  }

  private finishCarriedLine(endOffset: number): void {
    const c = this.takeCarry();
    this.lastNewlineEnd = endOffset;
    if (!c.complete) {
      this.lineNo++;
      return this.oversized(c, false);
    }
    this.line(c.buf, 0, c.buf.length, c.start, true, c.buf.indexOf(NUL) !== -1);
  }

  private oversized(c: { total: number; allNul: boolean; start: number }, atEnd: boolean): void {
    const where = this.where(c.start);
    if (c.allNul) {
      this.report('jsonl/nul-bytes', where, `${c.total} NUL bytes`, atEnd ? 'trim-last-line' : 'strip-nul-bytes');
    } else if (atEnd) {
      this.report('jsonl/truncated-tail', where, `unfinished last line of ${c.total} bytes, too long to be a record`);
    } else {
      this.report('jsonl/invalid-line', where, `line of ${c.total} bytes, longer than any record (${MAX_LINE_BYTES} bytes)`);
    }
  }

  /** One complete line, [s, e) of buf, that starts at file offset `at`. */
  private line(buf: Buffer, s: number, e: number, at: number, checkUtf8: boolean, hasNul: boolean, tryFastPath = true): void {
    this.lineNo++;
    if (hasNul) {
      this.nulLine(buf.subarray(s, e), at, false);
      return;
    }
    if (e === s || (e === s + 1 && buf[s] === 0x0d)) {
      this.report('jsonl/blank-line', this.where(at), 'empty line');
      return;
    }
    if (this.fastPath && tryFastPath) {
      // Bytes >= 0x80 only where this block was checked as UTF-8, so it never hides an encoding problem.
      const step = fastMetricsStep(buf, s, e, !checkUtf8);
      if (step >= 0) {
        if (lastLineHadBareNonfinite()) this.reportNonfinite(at);
        this.checkStep(step, at);
        return;
      }
    }
    if (checkUtf8 && !isUtf8(buf.subarray(s, e))) {
      this.report('encoding/invalid-utf8', this.where(at), 'line holds bytes that are not valid UTF-8');
      return;
    }
    const parsed = parseJsonTolerant(this.lineText(buf, s, e));
    if (!parsed.ok) {
      this.report('jsonl/invalid-line', this.where(at), `not valid JSON: ${parsed.error}`);
      return;
    }
    this.record(parsed.value, parsed.nonfinite, at);
  }

  /**
   * The text of a line for JSON.parse. In a pure-ASCII block, the block is decoded once (as
   * latin1, a plain copy 2-3x faster than UTF-8 decoding) on its first line that needs it, and
   * each line is a slice of it: one native call for many lines.
   */
  private lineText(buf: Buffer, s: number, e: number): string {
    const block = this.block;
    if (!block || block.buf !== buf || s < block.start || e > block.end) return buf.toString('utf8', s, e);
    block.text ??= buf.toString('latin1', block.start, block.end);
    return block.text.slice(s - block.start, e - block.start);
  }

  /** A line holding NUL bytes: unwritten blocks, sometimes followed by a record appended after the crash. */
  private nulLine(bytes: Buffer, at: number, isTail: boolean): 'nul' | 'record' | 'partial' {
    const firstNul = at + bytes.indexOf(NUL);
    const rest = withoutNul(bytes);
    const nuls = bytes.length - rest.length;
    const where = { ...this.where(at), offset: firstNul };
    if (rest.length === 0) {
      this.report('jsonl/nul-bytes', where, `${nuls} NUL bytes where data never reached the disk`, isTail ? 'trim-last-line' : 'strip-nul-bytes');
      return 'nul';
    }
    const parsed = isUtf8(rest) ? parseJsonTolerant(rest.toString('utf8')) : undefined;
    if (parsed?.ok && this.validate(parsed.value)) {
      const how = bytes[0] === NUL ? 'before a record written after them' : bytes[bytes.length - 1] === NUL ? 'after a complete record' : 'inside a record';
      this.report('jsonl/nul-bytes', where, `${nuls} NUL bytes ${how}; the record is kept`, 'strip-nul-bytes');
      this.record(parsed.value, parsed.nonfinite, at);
      return 'record';
    }
    const action: FixAction = isTail ? 'trim-last-line' : 'quarantine-lines';
    this.report('jsonl/nul-bytes', where, `${nuls} NUL bytes mixed with a damaged record`, action);
    return 'partial';
  }

  private record(value: unknown, nonfinite: boolean, at: number): void {
    if (nonfinite) this.reportNonfinite(at);
    if (!this.validate(value)) {
      this.report('jsonl/schema', this.where(at), `not a metrics record: ${firstError(this.validate)}`);
      return;
    }
    this.checkStep((value as { step?: unknown }).step, at);
  }

  private reportNonfinite(at: number): void {
    this.report('jsonl/nonfinite-number', this.where(at), 'bare NaN/Infinity token (read as the string Trackio uses)');
  }

  private checkStep(step: unknown, at: number): void {
    if (this.opts.checkStepOrder === false) return;
    if (typeof step === 'number') {
      if (this.lastStep === null) {
        this.firstStep = { step, line: this.lineNo, offset: at, emittedBefore: this.emitted };
      } else if (step <= this.lastStep) {
        this.report('jsonl/step-order', this.where(at), stepOrderMessage(step, this.lastStep));
      }
      this.lastStep = step;
    }
  }

  private finishTail(): JsonlSummary['tail'] {
    const c = this.takeCarry();
    const line = ++this.lineNo;
    const tail = { offset: c.start, line, bytes: c.total };
    if (this.opts.live && !c.allNul) {
      // The line being written is no damage, but NULs inside it are left from an earlier crash.
      const nul = c.buf.indexOf(NUL);
      if (nul !== -1) {
        const nuls = c.buf.length - withoutNul(c.buf).length;
        this.report('jsonl/nul-bytes', { ...this.where(c.start), offset: c.start + nul }, `${nuls} NUL bytes in the line being written`, 'strip-nul-bytes');
      }
      return { ...tail, kind: 'live' };
    }
    if (!c.complete) {
      this.oversized(c, true);
      return { ...tail, kind: c.allNul ? 'nul' : 'partial' };
    }
    if (c.buf.indexOf(NUL) !== -1) {
      const kind = this.nulLine(c.buf, c.start, true);
      if (kind === 'record') this.report('jsonl/missing-final-newline', this.where(c.start), 'last record is complete but not ended by a newline');
      return { ...tail, kind };
    }
    const where = this.where(c.start);
    const parsed = isUtf8(c.buf) ? parseJsonTolerant(c.buf.toString('utf8')) : undefined;
    if (!parsed?.ok || typeof parsed.value !== 'object' || parsed.value === null) {
      const why = parsed ? 'cut off mid-record' : 'cut off inside a multi-byte UTF-8 character';
      this.report('jsonl/truncated-tail', where, `last line ${why} (${c.total} bytes, no newline)`);
      return { ...tail, kind: 'partial' };
    }
    this.report('jsonl/missing-final-newline', where, 'last record is complete but not ended by a newline');
    this.record(parsed.value, parsed.nonfinite, c.start);
    return { ...tail, kind: 'record' };
  }

  private where(offset: number) {
    return { run: this.opts.run, path: this.opts.path, line: this.lineNo, offset };
  }

  private report(code: FindingCode, where: ReturnType<JsonlScanner['where']>, message: string, action?: FixAction): void {
    const finding = this.cap.admit(code, () => makeFinding(code, where, message, action ? { action } : undefined));
    if (!finding) return;
    this.emitted++;
    this.emit(finding);
  }
}

/** The jsonl/step-order message, shared with the merge of parallel segments so both say the same. */
export function stepOrderMessage(step: number, lastStep: number): string {
  const how = step === lastStep ? 'repeats' : 'goes back to';
  return `step ${how} ${step} after step ${lastStep}`;
}

function isAllNul(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i += ZEROS.length) {
    const end = Math.min(e, i + ZEROS.length);
    if (buf.compare(ZEROS, 0, end - i, i, end) !== 0) return false;
  }
  return true;
}

function withoutNul(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== NUL) out[n++] = bytes[i]!;
  return out.subarray(0, n);
}
