import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeDivergentRunDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeTrackioDir } from '../../fixtures/build/trackioDb.mjs';
import { compare } from '../../src/engine/compare/compare.js';
import { FsckError } from '../../src/engine/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('compare: run-directory data dirs', () => {
  it('a data dir and its copy are equal', async () => {
    const a = makeDataDir(tempDir(), { runs: 3, steps: 10 });
    const b = join(tempDir(), '.trackio');
    cpSync(a, b, { recursive: true });
    const r = await compare(a, b);
    expect(r).toMatchObject({ equal: true, exitCode: 0, errors: [], layout: 'run-directory' });
    expect(r.summary).toEqual(['A and B hold the same data: 3 runs, 30 metrics rows']);
  });

  it('reports exactly the records, documents and files that diverged', async () => {
    const { a, b } = makeDivergentRunDirs(tempDir());
    const r = await compare(a, b);
    expect(r.exitCode).toBe(4);
    expect(r.errors).toEqual([]);
    const run = (i: number) => r.runs.find((x) => x.run === runId(i))!;
    expect(run(0)).toMatchObject({ a: { rows: 20, maxStep: 19 }, b: { rows: 15, maxStep: 14 }, metrics: { onlyInA: 5, onlyInB: 0, differ: 0 }, config: 'equal', summary: 'equal', equal: false });
    expect(run(0).examples[0]).toEqual({ kind: 'only-in-a', table: 'metrics.jsonl', at: 15, lineA: 16 });
    expect(run(1)).toMatchObject({ metrics: { onlyInA: 0, onlyInB: 0, differ: 1 }, config: 'differ', summary: 'equal' });
    expect(run(1).examples).toEqual([{ kind: 'differ', table: 'metrics.jsonl', at: 3, lineA: 4, lineB: 4 }]);
    expect(run(2)).toMatchObject({ metrics: { onlyInA: 0, onlyInB: 1, differ: 0 }, files: { onlyInA: 1, onlyInB: 0, differ: 0, same: 1 } });
    expect(run(2).files!.listed).toEqual([{ path: `runs/${runId(2)}/logs/train.log`, a: { size: expect.any(Number) } }]);
    expect(run(3)).toMatchObject({ a: null, b: { rows: 1, maxStep: 0 }, metrics: { onlyInB: 1 } });
    expect(r.summary).toEqual([
      `1 run only in B: ${runId(3)}`,
      `B is 5 steps behind on run ${runId(0)} (last step 19 in A, 14 in B) (and 1 more run)`,
      'metrics of runs on both sides: 5 only in A, 1 only in B, 1 differ (3 runs)',
      `config differs on run ${runId(1)}`,
      '1 file missing in B',
    ]);
  });

  it('records are matched by content wherever they sit: a reordered file is equal', async () => {
    const a = makeDataDir(tempDir(), { runs: 1, steps: 6 });
    const b = join(tempDir(), '.trackio');
    cpSync(a, b, { recursive: true });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = join(b, 'runs', runId(0), 'metrics.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, [...lines.slice(3), ...lines.slice(0, 3)].join('\n') + '\n');
    const r = await compare(a, b);
    expect(r.runs[0]!.metrics).toEqual({ onlyInA: 0, onlyInB: 0, differ: 0 });
  });

  it('two layouts cannot be compared: a usage error (16)', async () => {
    const a = makeDataDir(tempDir(), { runs: 1 });
    const b = makeTrackioDir(tempDir(), { projects: [['mnist', 'current']] });
    const err = await compare(a, b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsckError);
    expect((err as FsckError).exitCode).toBe(16);
  });
});
