import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { damagedMetrics } from '../../fixtures/build/damagedMetrics.mjs';
import { makeDataDir, runId, ageTree } from '../../fixtures/build/dataDir.mjs';
import { check } from '../helpers/engine.js';
import { runCli, tempDir } from '../helpers/cli.js';
// The parallel machinery is internal: imported from the build directly.
import { JsonlScanner } from '../../src/engine/layouts/runDirectory/kinds/JsonlScanner.js';
import { readFileOnce } from '../../src/engine/fs/readFileOnce.js';
import { scanJsonlParallel, closeWorkerPool } from '../../src/engine/layouts/runDirectory/parallel/scanJsonlParallel.js';
import type { Finding } from '../../src/index.js';

afterAll(() => closeWorkerPool());

async function single(file: string, live = false) {
  const findings: Finding[] = [];
  const scanner = new JsonlScanner({ run: 'r', path: 'm.jsonl', live }, (f) => findings.push(f));
  const read = await readFileOnce(file, (c) => scanner.push(c));
  return { findings, summary: scanner.end(), sha256: read.sha256, size: read.size };
}

async function parallel(file: string, segmentBytes: number, workers = 2, live = false) {
  const findings: Finding[] = [];
  const config = { minBytes: 0, segmentBytes, workers };
  const read = await scanJsonlParallel(file, { run: 'r', path: 'm.jsonl', live, config }, (f) => findings.push(f));
  return { findings, summary: read.summary, sha256: read.sha256, size: read.size };
}

describe('a metrics.jsonl scanned in parallel segments', () => {
  // Seeds x tails x segment sizes: damage lands on, just before and just after segment boundaries.
  const cases = [
    { seed: 1, tail: 0, lines: 3000, rate: 0.1 },
    { seed: 2, tail: 1, lines: 3000, rate: 0.3 },
    { seed: 3, tail: 2, lines: 2000, rate: 0.05 },
    { seed: 4, tail: 3, lines: 2000, rate: 0.5 },
    { seed: 5, tail: 1, lines: 2000, rate: 0.1, longLineBytes: 5000 },
  ];
  for (const c of cases) {
    for (const segmentBytes of [700, 1499, 4096, 16384]) {
      it(`reports exactly what one scanner reports (seed ${c.seed}, ${segmentBytes}-byte segments${c.longLineBytes ? ', a line longer than a segment' : ''})`, async () => {
        const file = join(tempDir(), 'metrics.jsonl');
        writeFileSync(file, damagedMetrics(c));
        const one = await single(file);
        const many = await parallel(file, segmentBytes, segmentBytes % 2 ? 1 : 2);
        // The damage is really there, and spread over the file, so the comparison means something.
        expect(one.findings.length).toBeGreaterThan(20);
        expect(new Set(one.findings.map((f) => f.code)).size).toBeGreaterThan(5);
        expect(one.summary.bytes).toBeGreaterThan(segmentBytes * 3);
        expect(many).toEqual(one);
      });
    }
  }

  it('keeps the order of two findings on one line when it starts a segment', async () => {
    // Every line repeats step 3 and holds a NaN: each segment starts with a nonfinite warning and
    // then a step-order warning that only the merge can make, on the same line.
    const file = join(tempDir(), 'metrics.jsonl');
    writeFileSync(file, '{"step": 3, "loss": NaN}\n'.repeat(400));
    const one = await single(file);
    expect(one.findings.slice(0, 3).map((f) => f.code)).toEqual(['jsonl/nonfinite-number', 'jsonl/nonfinite-number', 'jsonl/step-order']);
    expect(await parallel(file, 256)).toEqual(one);
  });

  it('keeps a live run\'s unfinished tail live, as one scanner does', async () => {
    const file = join(tempDir(), 'metrics.jsonl');
    writeFileSync(file, damagedMetrics({ seed: 9, tail: 1, lines: 1500 }));
    const one = await single(file, true);
    expect(one.summary.tail?.kind).toBe('live');
    expect(await parallel(file, 2048, 2, true)).toEqual(one);
  });
});

describe('check with parallel parsing forced on', () => {
  it('gives the same report and file records as with it off', async () => {
    const dataDir = makeDataDir(tempDir(), { runs: 3, steps: 50 });
    const file = join(dataDir, 'runs', runId(1), 'metrics.jsonl');
    writeFileSync(file, damagedMetrics({ seed: 7, lines: 4000, rate: 0.2, tail: 1 }));
    ageTree(dataDir);
    const run = async (env: Record<string, string>) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const { report, files } = await check(dataDir);
        return { findings: report.findings, summary: { ...report.summary, durationMs: 0 }, files, exitCode: report.exitCode };
      } finally {
        process.env = saved;
      }
    };
    const off = await run({ TRACKIO_FSCK_WORKERS: '0' });
    const on = await run({ TRACKIO_FSCK_WORKERS: '2', TRACKIO_FSCK_PARALLEL_MIN_BYTES: '0', TRACKIO_FSCK_SEGMENT_BYTES: '3000' });
    expect(off.findings.filter((f) => f.path.endsWith('metrics.jsonl')).length).toBeGreaterThan(20);
    expect(on).toEqual(off);
  });
});

describe('the CLI with parallel parsing forced on', () => {
  it('prints the same report as without it, and exits (idle worker threads never hold the process)', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 20 });
    writeFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), damagedMetrics({ seed: 11, lines: 3000, rate: 0.1, tail: 1 }));
    ageTree(dataDir);
    const args = ['check', dataDir, '--json', '--live-window', '0'];
    const strip = (stdout: string) => ({ ...JSON.parse(stdout), summary: { ...JSON.parse(stdout).summary, durationMs: 0 } });
    const off = runCli(args, { env: { TRACKIO_FSCK_WORKERS: '0' } });
    // Tiny segments, then one segment per file: the first keeps the workers busy, the second may
    // finish before they are even up.
    for (const segment of ['2000', '100000000']) {
      const on = runCli(args, { env: { TRACKIO_FSCK_WORKERS: '2', TRACKIO_FSCK_PARALLEL_MIN_BYTES: '0', TRACKIO_FSCK_SEGMENT_BYTES: segment } });
      expect(on.code).toBe(4);
      expect(strip(on.stdout)).toEqual(strip(off.stdout));
    }
  });
});
