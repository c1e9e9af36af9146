import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { check } from '../helpers/engine.js';
import { tempDir } from '../helpers/cli.js';

const RUN = runId(0);

async function codesAfter(make: (dataDir: string) => { code: string; path: string; line?: number; offset?: number }) {
  const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 6 });
  const expected = make(dataDir);
  const { report } = await check(dataDir);
  const notInfo = report.findings.filter((f) => f.severity !== 'info');
  return { expected, findings: notInfo, report };
}

describe('check: a healthy data dir', () => {
  it('reports nothing and exits 0', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 3 });
    const { report, files } = await check(dataDir);
    expect(report.findings).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary).toMatchObject({ runs: 3, files: 15, errors: 0, warnings: 0 });
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });
});

// One damage per code: exactly that code, at exactly that line and offset.
const cases: Array<[string, (d: string) => ReturnType<typeof damage.truncateMidLine>]> = [
  ['jsonl/truncated-tail', (d) => damage.truncateMidLine(d, RUN)],
  ['jsonl/nul-bytes (tail)', (d) => damage.appendNulTail(d, RUN)],
  ['jsonl/nul-bytes (record after NULs)', (d) => damage.nulsThenRecord(d, RUN)],
  ['jsonl/missing-final-newline', (d) => damage.removeFinalNewline(d, RUN)],
  ['jsonl/invalid-line', (d) => damage.invalidLineInMiddle(d, RUN, 3)],
  ['jsonl/schema', (d) => damage.schemaViolation(d, RUN, 4)],
  ['jsonl/nonfinite-number', (d) => damage.bareNaN(d, RUN, 2)],
  ['jsonl/step-order', (d) => damage.stepBackwards(d, RUN, 3)],
  ['jsonl/blank-line', (d) => damage.blankLine(d, RUN, 2)],
  ['encoding/invalid-utf8', (d) => damage.invalidUtf8Line(d, RUN, 2)],
  ['json/invalid (cut short)', (d) => damage.cutJson(d, RUN, 'config.json', 10)],
  ['json/invalid (empty)', (d) => damage.emptyJson(d, RUN, 'summary.json')],
  ['json/schema', (d) => damage.jsonWrongShape(d, RUN, 'config.json')],
  ['run/missing-file', (d) => damage.missingFile(d, RUN, 'metrics.jsonl')],
  ['fs/leftover-temp', (d) => damage.leftoverTemp(d, RUN)],
  ['fs/symlink-escape', (d) => damage.symlinkEscape(d, RUN)],
];

describe('check: one named damage, one code', () => {
  for (const [name, make] of cases) {
    it(name, async () => {
      const { expected, findings } = await codesAfter(make);
      expect(findings.map((f) => f.code)).toEqual([expected.code]);
      const [f] = findings;
      expect(f!.path).toBe(expected.path);
      expect(f!.run).toBe(RUN);
      if (expected.line !== undefined) expect(f!.line).toBe(expected.line);
      if (expected.offset !== undefined) expect(f!.offset).toBe(expected.offset);
    });
  }

  it.runIf(process.getuid?.() !== 0)('fs/unreadable', async () => {
    const { expected, findings } = await codesAfter((d) => damage.unreadable(d, RUN));
    expect(findings.map((f) => [f.code, f.path])).toEqual([[expected.code, expected.path]]);
  });
});

describe('check: severities and exit codes', () => {
  it('errors exit 4, warnings alone exit 0 unless strict', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.removeFinalNewline(dataDir, RUN);
    expect((await check(dataDir)).report.exitCode).toBe(0);
    expect((await check(dataDir, { strict: true })).report.exitCode).toBe(4);
    damage.cutJson(dataDir, RUN);
    expect((await check(dataDir)).report.exitCode).toBe(4);
  });

  it('a run without summary.json is unfinished (info), not damaged', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 0 });
    writeRun(dataDir, RUN, { finished: false });
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => [f.code, f.severity])).toEqual([['run/unfinished', 'info']]);
    expect(report.exitCode).toBe(0);
  });

  it('a run written moments ago is live, and its unfinished tail is not called truncated', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 0 });
    writeRun(dataDir, RUN, { finished: false, old: false });
    damage.truncateMidLine(dataDir, RUN);
    const { utimesSync } = await import('node:fs');
    const now = new Date();
    utimesSync(`${dataDir}/runs/${RUN}/metrics.jsonl`, now, now);
    const { report } = await check(dataDir);
    expect(report.findings.map((f) => f.code)).toEqual(['run/live']);
    const off = await check(dataDir, { liveWindowMs: 0 });
    expect(off.report.findings.map((f) => f.code)).toContain('jsonl/truncated-tail');
  });

  it('--run limits the scan', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 3 });
    damage.cutJson(dataDir, runId(2));
    const { report } = await check(dataDir, { runs: [RUN] });
    expect(report.summary.runs).toBe(1);
    expect(report.findings).toEqual([]);
  });
});
