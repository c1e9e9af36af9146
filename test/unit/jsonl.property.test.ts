import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageTree, makeDataDir, pythonDumps, runId, variedMetricsLines, writeRun } from '../../fixtures/build/dataDir.mjs';
import { type Finding } from '../../src/index.js';
import { JsonlScanner, type JsonlScannerOptions } from '../helpers/internals.js';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';

interface Line {
  start: number;
  /** offset of the line's '\n' */
  end: number;
  hasNonFinite: boolean;
}

/** Scans `bytes` fed in the given chunk sizes; each chunk is a copy that is scribbled over after push, as readFileOnce reuses its buffer. */
function scan(bytes: Buffer, chunkSizes: number[] = [bytes.length], opts: Partial<JsonlScannerOptions> = {}) {
  const findings: Finding[] = [];
  const scanner = new JsonlScanner({ run: 'r', path: 'runs/r/metrics.jsonl', ...opts }, (f) => findings.push(f));
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]!);
    const chunk = Buffer.from(bytes.subarray(at, at + size));
    scanner.push(chunk);
    chunk.fill(0xff);
    at += size;
  }
  const summary = scanner.end();
  return { findings, summary };
}

/**
 * What a scan of the first `cut` bytes of a valid file must report, derived from where its lines
 * end: nothing after a line end; a complete last record without its '\n' is missing-final-newline;
 * anything else is a truncated tail at the start of the cut line.
 */
function expectedAfterCut(lines: Line[], cut: number): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  lines.forEach((l, i) => {
    if (l.end < cut && l.hasNonFinite) out.push(['jsonl/nonfinite-number', i + 1, l.start]);
  });
  const k = lines.findIndex((l) => l.start < cut && cut <= l.end);
  if (k !== -1) {
    const l = lines[k]!;
    if (cut === l.end) {
      out.push(['jsonl/missing-final-newline', k + 1, l.start]);
      if (l.hasNonFinite) out.push(['jsonl/nonfinite-number', k + 1, l.start]);
    } else {
      out.push(['jsonl/truncated-tail', k + 1, l.start]);
    }
  }
  return out;
}

const brief = (fs: Finding[]) => fs.map((f) => [f.code, f.line, f.offset] as [string, number | undefined, number | undefined]);

/** Records as fast-check imagines them: rising steps, metric names in any script, values that include bare NaN/Infinity and media. */
const recordArb = fc.record({
  metrics: fc.dictionary(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).filter((k) => k !== 'step' && k !== 'timestamp'),
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(NaN, Infinity, -Infinity, null),
      fc.integer(),
      fc.record({ _type: fc.constant('trackio.text'), caption: fc.string({ unit: 'binary', maxLength: 8 }) }),
    ),
    { maxKeys: 4 },
  ),
  stepGap: fc.integer({ min: 1, max: 1000 }),
  epochTime: fc.boolean(),
});

function buildFile(records: Array<{ metrics: Record<string, unknown>; stepGap: number; epochTime: boolean }>): { bytes: Buffer; lines: Line[] } {
  let step = 0;
  const parts: Buffer[] = [];
  const lines: Line[] = [];
  let size = 0;
  for (const r of records) {
    step += r.stepGap;
    const text = pythonDumps({ step, timestamp: r.epochTime ? 1767263400 + step : new Date(Date.UTC(2026, 0, 1, 0, 0, step % 60)).toISOString(), ...r.metrics });
    const buf = Buffer.from(text + '\n');
    const hasNonFinite = Object.values(r.metrics).some((v) => typeof v === 'number' && !Number.isFinite(v));
    lines.push({ start: size, end: size + buf.length - 1, hasNonFinite });
    parts.push(buf);
    size += buf.length;
  }
  return { bytes: Buffer.concat(parts), lines };
}

describe('JsonlScanner: a valid file cut at every byte offset', () => {
  it('reports a truncated tail exactly when the cut is not at a line end, at the right line and offset', () => {
    const { bytes, lines } = variedMetricsLines(24);
    expect(bytes.length).toBeGreaterThan(Buffer.from(bytes.toString('latin1'), 'latin1').toString('utf8').length); // multi-byte text is in
    expect(lines.some((l) => l.hasNonFinite)).toBe(true);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { findings, summary } = scan(bytes.subarray(0, cut));
      expect(brief(findings), `cut at ${cut}`).toEqual(expectedAfterCut(lines, cut));
      const complete = lines.filter((l) => l.end < cut);
      expect(summary.lastNewlineEnd).toBe(complete.length ? complete.at(-1)!.end + 1 : 0);
      if (summary.lastNewlineEnd < cut) {
        expect(summary.tail).toMatchObject({ offset: summary.lastNewlineEnd, line: complete.length + 1, bytes: cut - summary.lastNewlineEnd });
      } else {
        expect(summary.tail).toBeUndefined();
      }
    }
  });

  it('holds for any generated file (fast-check), every offset', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 6 }), (records) => {
        const { bytes, lines } = buildFile(records);
        for (let cut = 0; cut <= bytes.length; cut++) {
          expect(brief(scan(bytes.subarray(0, cut)).findings), `cut at ${cut}`).toEqual(expectedAfterCut(lines, cut));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('while a writer is live, no cut is called damage', () => {
    const { bytes, lines } = variedMetricsLines(8);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { findings, summary } = scan(bytes.subarray(0, cut), undefined, { live: true });
      const expected = expectedAfterCut(lines, cut).filter(([, , offset]) => offset < (summary.tail?.offset ?? Infinity));
      expect(brief(findings), `cut at ${cut}`).toEqual(expected);
      if (summary.tail) expect(summary.tail.kind).toBe('live');
    }
  });

  it('through check() on real files, for a sample of offsets', async () => {
    const { bytes, lines } = variedMetricsLines(12);
    const dataDir = makeDataDir(tempDir(), { runs: 0 });
    const offsets = fc.sample(fc.integer({ min: 0, max: bytes.length }), { numRuns: 25, seed: 42 });
    // Always include the interesting places: inside a multi-byte character, just before and after a '\n'.
    const multiByte = bytes.indexOf(Buffer.from('損')) + 1;
    offsets.push(0, bytes.length, bytes.length - 1, lines[3]!.end, lines[3]!.end + 1, multiByte);
    for (const [i, cut] of offsets.entries()) {
      const run = runId(i);
      writeRun(dataDir, run, { old: false });
      writeFileSync(join(dataDir, 'runs', run, 'metrics.jsonl'), bytes.subarray(0, cut));
      ageTree(join(dataDir, 'runs', run));
    }
    const { report } = await check(dataDir, { liveWindowMs: 0 });
    for (const [i, cut] of offsets.entries()) {
      const path = `runs/${runId(i)}/metrics.jsonl`;
      const got = report.findings.filter((f) => f.path === path);
      expect(brief(got), `cut at ${cut}`).toEqual(expectedAfterCut(lines, cut));
      expect(got.every((f) => f.run === runId(i))).toBe(true);
    }
  });
});

/** Bytes as damaged as crashes make them: records, bare NaN, multi-byte text, NULs, torn UTF-8, CRLF, blank and garbage lines. */
const pieceArb = fc.oneof(
  fc.integer({ min: 0, max: 50 }).map((s) => `{"step": ${s}, "loss": 0.5}\n`),
  fc.integer({ min: 0, max: 50 }).map((s) => `{"step": ${s}, "loss": NaN, "損失": Infinity}\n`),
  fc.constant('{"step": 3, "caption": {"_type": "t", "text": "café ☕ 🎉"}}\r\n'),
  fc.integer({ min: 1, max: 40 }).map((n) => '\0'.repeat(n)),
  fc.constant('{"step": 4, "lo'),
  fc.constant('\n'),
  fc.constant('not json\n'),
  fc.constant(Buffer.from([0xe2, 0x98])), // a torn '☕'
  fc.constant('{"step": -1}\n'),
);
const bytesArb = fc.array(pieceArb, { maxLength: 14 }).map((ps) => Buffer.concat(ps.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));

describe('JsonlScanner: chunking never changes the result', () => {
  it('one byte at a time, or any split, gives the same findings and summary as one chunk', () => {
    fc.assert(
      fc.property(bytesArb, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (bytes, sizes, live) => {
        const whole = scan(bytes, undefined, { live, maxPerCode: 3 });
        expect(scan(bytes, [1], { live, maxPerCode: 3 })).toEqual(whole);
        expect(scan(bytes, sizes, { live, maxPerCode: 3 })).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('every finding lies inside the file and carries a line and an offset', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const { findings, summary } = scan(bytes);
        for (const f of findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.line).toBeLessThanOrEqual(summary.lines + (summary.tail ? 1 : 0)); // `lines` counts complete lines
          expect(f.offset).toBeGreaterThanOrEqual(0);
          expect(f.offset).toBeLessThan(Math.max(1, bytes.length));
        }
        expect(summary.bytes).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });
});
