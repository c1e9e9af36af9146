// Issue 11 case 3: a record a writer appends while a repair runs is never lost.
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
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

/** A writer that opened metrics.jsonl before the repair appends `record` at `point`, and the repair is SIGKILLed there. */
async function appendAndKillAt(dataDir: string, point: string, record: string): Promise<void> {
  const writer = openSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), 'a');
  try {
    const run = await runUntilPoint(['repair', '-y', '--force', dataDir], point);
    expect(run.stopped).toBe(true);
    writeSync(writer, record);
    process.kill(run.pid, 'SIGKILL');
    await run.resume().catch(() => undefined);
  } finally {
    closeSync(writer);
  }
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

  // A writer that opened the file before the repair keeps writing to the old inode after the rename.
  // Killed before those bytes are carried over, the next repair must still find them.
  for (const point of ['checked-before-rename', 'renamed-before-late-appends']) {
    it(`a writer with the file open appends, and the repair is killed at ${point}: the next repair keeps the record`, async () => {
      const dataDir = template();
      const metrics = join(dataDir, 'runs', runId(0), 'metrics.jsonl');
      const record = metricsRecord(999) + '\n';
      await appendAndKillAt(dataDir, point, record);
      const again = runCli(['repair', '-y', '--force', dataDir]);
      expect([1, 8], again.stdout + again.stderr).toContain(again.code);
      expect(readFileSync(metrics, 'utf8'), `the record appended at ${point} is lost`).toContain(record);
      // No leftover second name of the file once the repair is done.
      if (again.code === 1) expect(readdirSync(join(dataDir, 'runs', runId(0))).filter((n) => n.endsWith('.held'))).toEqual([]);
    });
  }

  it('killed between the rename and the late-append copy, then undone: the late record is kept in displaced/', async () => {
    const dataDir = template();
    const metrics = join(dataDir, 'runs', runId(0), 'metrics.jsonl');
    const before = readFileSync(metrics);
    const record = metricsRecord(998) + '\n';
    await appendAndKillAt(dataDir, 'renamed-before-late-appends', record);
    const u = runCli(['undo', dataDir]);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(readFileSync(metrics).equals(before)).toBe(true);
    const repairs = join(dataDir, '.trackio-fsck', 'repairs');
    const [id] = readdirSync(repairs);
    const kept = readFileSync(join(repairs, id!, 'displaced', 'runs', runId(0), 'metrics.jsonl.held'), 'utf8');
    expect(kept.endsWith(record)).toBe(true);
    expect(readdirSync(join(dataDir, 'runs', runId(0))).filter((n) => n.endsWith('.held'))).toEqual([]);
  });
});
