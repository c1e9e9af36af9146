import { open } from 'node:fs/promises';
import type { RowDiff, RowExample, SideRun } from './CompareResult.js';

export interface JsonlLinesDiff {
  /** null: no such file on that side. */
  a: SideRun | null;
  b: SideRun | null;
  diff: RowDiff;
  examples: RowExample[];
}

export interface Line {
  text: string;
  /** 1-based. */
  no: number;
  step: number | null;
}

const STEP = /"step"\s*:\s*(\d+)/;

/**
 * The records two metrics.jsonl files do not share, matched by content (a record is its line; the
 * step is in it). Both files are read together line by line: the shared beginning costs nothing to
 * hold; after the first difference, the rest of one side is held (as a count per distinct line) to
 * match the rest of the other, so a copy that is merely behind, or ahead, is streamed to the end
 * without holding anything. Unmatched records of one step on both sides pair up as records that
 * differ. Blank lines are not records.
 */
export async function diffJsonlLines(pathA: string, pathB: string, maxExamples = 5): Promise<JsonlLinesDiff> {
  const ra = await readRecords(pathA);
  const rb = await readRecords(pathB);
  const out: JsonlLinesDiff = { a: ra ? { rows: 0, maxStep: null } : null, b: rb ? { rows: 0, maxStep: null } : null, diff: { onlyInA: 0, onlyInB: 0, differ: 0 }, examples: [] };
  const count = (side: SideRun | null, l: Line) => {
    side!.rows++;
    if (l.step !== null && (side!.maxStep === null || l.step > side!.maxStep)) side!.maxStep = l.step;
  };
  const example = (kind: RowExample['kind'], la: Line | undefined, lb: Line | undefined) => {
    if (out.examples.length >= maxExamples) return;
    const ex: RowExample = { kind, table: 'metrics.jsonl', at: (la ?? lb)!.step };
    if (la) ex.lineA = la.no;
    if (lb) ex.lineB = lb.no;
    out.examples.push(ex);
  };
  const empty: AsyncIterator<Line> = { next: async () => ({ done: true, value: undefined }) };
  const ia = ra ?? empty;
  const ib = rb ?? empty;
  let na = await ia.next();
  let nb = await ib.next();
  try {
    while (!na.done && !nb.done && na.value.text === nb.value.text) {
      count(out.a, na.value);
      count(out.b, nb.value);
      na = await ia.next();
      nb = await ib.next();
    }
    if (na.done || nb.done) {
      // One side is a prefix of the other: the rest is only on the longer side.
      for (; !na.done; na = await ia.next()) {
        count(out.a, na.value);
        out.diff.onlyInA++;
        example('only-in-a', na.value, undefined);
      }
      for (; !nb.done; nb = await ib.next()) {
        count(out.b, nb.value);
        out.diff.onlyInB++;
        example('only-in-b', undefined, nb.value);
      }
      return out;
    }
    const restA = new Map<string, Line[]>();
    for (; !na.done; na = await ia.next()) {
      count(out.a, na.value);
      const same = restA.get(na.value.text);
      if (same) same.push(na.value);
      else restA.set(na.value.text, [na.value]);
    }
    const unmatchedB: Line[] = [];
    for (; !nb.done; nb = await ib.next()) {
      count(out.b, nb.value);
      const same = restA.get(nb.value.text);
      if (same && same.length > 0) same.shift();
      else unmatchedB.push(nb.value);
    }
    const unmatchedA = [...restA.values()].flat().sort((x, y) => x.no - y.no);
    // Within a step, an unmatched record of A and one of B are one record that differs.
    const byStepB = new Map<number | null, Line[]>();
    for (const l of unmatchedB) {
      const list = byStepB.get(l.step);
      if (list) list.push(l);
      else byStepB.set(l.step, [l]);
    }
    for (const la of unmatchedA) {
      const lb = byStepB.get(la.step)?.shift();
      if (lb) {
        out.diff.differ++;
        example('differ', la, lb);
      } else {
        out.diff.onlyInA++;
        example('only-in-a', la, undefined);
      }
    }
    for (const list of byStepB.values()) {
      for (const lb of list) {
        out.diff.onlyInB++;
        example('only-in-b', undefined, lb);
      }
    }
    return out;
  } finally {
    await ia.return?.();
    await ib.return?.();
  }
}

/** The file's records, one per non-blank line; undefined when there is no such file. */
export async function readRecords(path: string): Promise<AsyncGenerator<Line> | undefined> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!fh) return undefined;
  return (async function* () {
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let carry = '';
      let no = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        // latin1 keeps every byte as one character: lines compare byte for byte, torn UTF-8 included.
        const text = carry + buf.toString('latin1', 0, bytesRead);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
          no++;
          const line = record(text.slice(start, nl), no);
          if (line) yield line;
          start = nl + 1;
        }
        carry = text.slice(start);
      }
      if (carry.length > 0) {
        const line = record(carry, no + 1);
        if (line) yield line;
      }
    } finally {
      await fh.close();
    }
  })();
}

function record(raw: string, no: number): Line | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return undefined;
  const m = STEP.exec(text);
  return { text, no, step: m ? Number(m[1]) : null };
}
