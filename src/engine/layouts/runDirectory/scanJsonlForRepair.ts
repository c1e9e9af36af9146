import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Finding } from '../../finding.js';
import { JsonlScanner } from './kinds/JsonlScanner.js';
import { CHUNK_BYTES } from '../../fs/readFileOnce.js';
import { FsckError } from '../../errors.js';
import { READ_NOFOLLOW } from '../../fs/safePath.js';

export interface ProblemLine {
  line: number;
  /** [start, end) of the line in the file, its newline included (the tail has none). */
  start: number;
  end: number;
  findings: Finding[];
}

export interface JsonlRepairScan {
  sha256: string;
  size: number;
  /** Lines that end with a newline and drew a finding, in file order. */
  lines: ProblemLine[];
  /** The bytes after the last newline, when they drew a finding. */
  tail?: ProblemLine & { kind: 'record' | 'partial' | 'nul' | 'live' };
}

/**
 * Re-reads one JSONL file for repair: the same scanner as check, but with no cap on findings per
 * code (check folds repeats into `more`; repair must mend every one), and with each problem line's
 * exact byte span, so a fix can name the bytes it removes. Memory: the spans of one chunk's lines,
 * plus one entry per problem line.
 */
export async function scanJsonlForRepair(abs: string, rel: string, run: string | null): Promise<JsonlRepairScan> {
  const found: Finding[] = [];
  const scanner = new JsonlScanner({ run, path: rel, live: false, maxPerCode: Number.MAX_SAFE_INTEGER }, (f) => found.push(f));
  const byLine = new Map<number, ProblemLine>();
  const hash = createHash('sha256');
  let offset = 0;
  let lineNo = 0;
  let lineStart = 0;
  const fh = await open(abs, READ_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      // Spans of the lines that end in this chunk: the scanner reports them during this push.
      const firstLine = lineNo + 1;
      const starts: number[] = [];
      const ends: number[] = [];
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
        lineNo++;
        starts.push(lineStart);
        ends.push(offset + i + 1);
        lineStart = offset + i + 1;
      }
      scanner.push(chunk);
      for (const f of found.splice(0)) {
        const k = (f.line ?? 0) - firstLine;
        if (k < 0 || k >= starts.length) throw new FsckError(`internal error: finding for line ${f.line} outside the lines read (${rel})`);
        addTo(byLine, f.line!, starts[k]!, ends[k]!, f);
      }
      offset += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const summary = scanner.end();
  const scan: JsonlRepairScan = { sha256: hash.digest('hex'), size: offset, lines: [...byLine.values()] };
  if (summary.tail) {
    const t = summary.tail;
    scan.tail = { line: t.line, start: t.offset, end: offset, kind: t.kind, findings: found.splice(0) };
  }
  return scan;
}

function addTo(byLine: Map<number, ProblemLine>, line: number, start: number, end: number, f: Finding): void {
  let entry = byLine.get(line);
  if (!entry) byLine.set(line, (entry = { line, start, end, findings: [] }));
  entry.findings.push(f);
}
