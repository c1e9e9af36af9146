// Issue 11 case 3: a record a writer appends while a repair runs is never lost.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, metricsRecord, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { runUntilPoint } from '../helpers/pausedRun.js';

/** One run whose metrics.jsonl needs a rewrite: a bad line in the middle, quarantined. */
function template(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 50 });
  damage.invalidLineInMiddle(dataDir, runId(0), 3);
  return dataDir;
}

describe('a writer appending while repair -y runs', () => {
  it('between the last look and the rename: the appended record is carried over to the repaired file', async () => {
    const dataDir = template();
    const run = await runUntilPoint(['repair', '-y', '--force', dataDir], 'checked-before-rename');
    expect(run.stopped).toBe(true);
    const record = metricsRecord(999) + '\n';
    appendFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), record);
    const r = await run.resume();
    expect(r.code, r.stderr).toBe(1);
    const file = readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), 'utf8');
    expect(file.endsWith(record)).toBe(true);
    expect(runCli(['check', dataDir]).code).toBe(0);
  });
});
