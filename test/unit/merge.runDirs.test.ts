import { appendFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDivergentRunDirs } from '../../fixtures/build/divergentDirs.mjs';
import { makeDataDir, metricsRecord, runId } from '../../fixtures/build/dataDir.mjs';
import { planMergeRuns } from '../../src/engine/layouts/runDirectory/planMergeRuns.js';
import { tempDir } from '../helpers/cli.js';

function pair(steps = 5) {
  const local = makeDataDir(tempDir(), { runs: 1, steps });
  const copy = join(tempDir(), '.trackio');
  cpSync(local, copy, { recursive: true, preserveTimestamps: true });
  return { local, copy, metrics: (dir: string) => join(dir, 'runs', runId(0), 'metrics.jsonl') };
}

describe('merge planner, run-directory layout', () => {
  it('the divergent pair: an append, a whole new run, conflicts kept as B\'s file', async () => {
    const { a: local, b: offsite } = makeDivergentRunDirs(tempDir());
    const draft = await planMergeRuns(local, offsite, []);
    expect(draft.steps.map((s) => `${s.action} ${s.path}`)).toEqual([
      `keep-theirs runs/${runId(1)}/metrics.jsonl`,
      `keep-theirs runs/${runId(1)}/config.json`,
      `merge-rows runs/${runId(2)}/metrics.jsonl`,
      `merge-file runs/${runId(3)}`,
    ]);
    const append = draft.steps[2]!;
    expect(append.edits).toEqual([{ kind: 'insert', start: append.pre!.size, end: append.pre!.size, text: metricsRecord(20) + '\n' }]);
    expect(draft.steps[3]!.newDirs).toEqual([`runs/${runId(3)}`]);
    expect(draft.steps[3]!.copies!.map((c) => c.path)).toEqual([`runs/${runId(3)}/metrics.jsonl`]);
    expect(draft.conflicts.map((c) => [c.path, c.count])).toEqual([
      [`runs/${runId(1)}/metrics.jsonl`, 1],
      [`runs/${runId(1)}/config.json`, 1],
    ]);
  });

  it('records after DIR\'s last step are appended in step order; one at or before it is a conflict, not inserted', async () => {
    const { local, copy, metrics } = pair(5);
    for (const step of [7, 5, 6]) appendFileSync(metrics(copy), metricsRecord(step) + '\n');
    appendFileSync(metrics(copy), metricsRecord(2, { loss: 0.5 }) + '\n');
    const draft = await planMergeRuns(local, copy, []);
    expect(draft.steps.map((s) => s.action)).toEqual(['merge-rows', 'keep-theirs']);
    expect(draft.steps[0]!.edits[0]!.text).toBe([5, 6, 7].map((s) => metricsRecord(s) + '\n').join(''));
    expect(draft.conflicts[0]!.what).toContain("1 record only the other copy has at or before this copy's last step 4");
  });

  it('a DIR file without its final newline is not appended to: repair it first', async () => {
    const { local, copy, metrics } = pair(3);
    appendFileSync(metrics(copy), metricsRecord(3) + '\n');
    appendFileSync(metrics(local), '{"step": 3, "lo');
    const draft = await planMergeRuns(local, copy, []);
    expect(draft.steps.map((s) => s.action)).toEqual(['keep-theirs']);
    expect(draft.conflicts[0]!.what).toContain('does not end with a newline: repair it first');
  });

  it('files only B has in a run both have are copied, with the folders they need; equal documents by value are not conflicts', async () => {
    const { local, copy } = pair(2);
    mkdirSync(join(copy, 'runs', runId(0), 'artifacts', 'ckpt'), { recursive: true });
    writeFileSync(join(copy, 'runs', runId(0), 'artifacts', 'ckpt', 'model.bin'), 'weights');
    // The same config, written compactly with its keys in another order: equal by value.
    writeFileSync(join(copy, 'runs', runId(0), 'config.json'), JSON.stringify({ optimizer: 'Adam', epochs: 2, learning_rate: 0.01 }));
    const draft = await planMergeRuns(local, copy, []);
    expect(draft.steps.map((s) => [s.action, s.path, s.newDirs, s.copies!.map((c) => c.path)])).toEqual([['merge-file', `runs/${runId(0)}`, [`runs/${runId(0)}/artifacts/ckpt`], [`runs/${runId(0)}/artifacts/ckpt/model.bin`]]]);
    expect(draft.conflicts).toEqual([]);
  });
});
