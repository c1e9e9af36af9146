// Issue 11 case 3, the sweep: a writer appends a record at every durable point of a repair in turn.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, metricsRecord, runId } from '../../fixtures/build/dataDir.mjs';
import { tempDir } from '../helpers/cli.js';
import { runUntilPoint } from '../helpers/pausedRun.js';
import { copyTree } from '../helpers/repairTree.js';

/** One run whose metrics.jsonl needs a rewrite: a bad line in the middle, quarantined. */
function template(): string {
  const dataDir = makeDataDir(tempDir(), { runs: 1, steps: 50 });
  damage.invalidLineInMiddle(dataDir, runId(0), 3);
  return dataDir;
}

/** Everything the data dir holds of a metrics line: the file itself, and what quarantine/ kept. */
function everywhere(dataDir: string): string {
  let all = readFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), 'utf8');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else all += readFileSync(join(d, e.name), 'latin1');
    }
  };
  try {
    walk(join(dataDir, 'quarantine'));
  } catch {
    /* no quarantine */
  }
  return all;
}

// Every point in CI (and with TRACKIO_FSCK_FULL_SWEEPS=1); locally every other one.
const STRIDE = process.env.CI || process.env.TRACKIO_FSCK_FULL_SWEEPS ? 1 : 2;

describe('a writer appending while repair -y runs', () => {
  it('at every durable point of the repair: each appended record ends up in the file (or the repair stops and leaves it there)', async () => {
    const base = template();
    let points = 0;
    for (let n = 1; n < 60; n += STRIDE) {
      const dataDir = join(tempDir(), 'd');
      copyTree(base, dataDir);
      const run = await runUntilPoint(['repair', '-y', '--force', dataDir], `step:${n}`);
      const record = metricsRecord(1000 + n) + '\n';
      if (run.stopped) appendFileSync(join(dataDir, 'runs', runId(0), 'metrics.jsonl'), record);
      const r = await run.resume();
      if (!run.stopped) {
        expect(r.code, r.stderr).toBe(1);
        points = n;
        break;
      }
      // Exit 1: repaired with the record carried over; exit 8: it saw the change and stopped, leaving the file.
      expect([1, 8], `point ${n}: ${r.stdout}${r.stderr}`).toContain(r.code);
      expect(everywhere(dataDir), `point ${n}: the record appended there is lost`).toContain(record);
      if (r.code === 8) expect(r.stderr).toMatch(/changed/);
    }
    expect(points).toBeGreaterThanOrEqual(6);
  }, 120_000);

});
