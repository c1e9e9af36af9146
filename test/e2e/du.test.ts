import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDataDir, runId, writeLargeArtifact } from '../../fixtures/build/dataDir.mjs';
import { backup } from '../../src/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const size = (p: string) => statSync(p).size;

describe('du', () => {
  it('--json: runs largest first, split into metrics, artifacts, logs and other; quarantine; backups with hard links counted once', async () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3 });
    writeLargeArtifact(dataDir, runId(1), 2);
    appendFileSync(join(dataDir, 'runs', runId(2), 'metrics.jsonl'), '{"step": 9, "loss": 0.5}\n'.repeat(100));
    mkdirSync(join(dataDir, 'quarantine', '20260101'), { recursive: true });
    writeFileSync(join(dataDir, 'quarantine', '20260101', 'metrics.jsonl.bad'), 'x'.repeat(1000));
    const dest = join(root, 'trackio_backups');
    await backup(dataDir, { dest });
    await backup(dataDir, { dest });

    const r = runCli(['du', '--json'], { cwd: root });
    expect(r.code).toBe(0);
    const du = JSON.parse(r.stdout);
    expect(du.runs.map((x: { run: string }) => x.run)).toEqual([runId(1), runId(2), runId(0)]);
    const run = (id: string) => join(dataDir, 'runs', id);
    const big = du.runs[0];
    expect(big).toEqual({
      run: runId(1),
      bytes: big.metrics + big.artifacts + big.logs + big.other,
      metrics: size(join(run(runId(1)), 'metrics.jsonl')),
      artifacts: size(join(run(runId(1)), 'artifacts', 'model.bin')) + 2 * 1024 * 1024,
      logs: size(join(run(runId(1)), 'logs', 'train.log')),
      other: size(join(run(runId(1)), 'config.json')) + size(join(run(runId(1)), 'summary.json')),
    });
    expect(du.runs[1].metrics).toBe(size(join(run(runId(2)), 'metrics.jsonl')));
    expect(du.quarantine).toBe(1000);
    // Two snapshots of 2 MiB+ of data: on disk a little over one copy, far from two.
    expect(du.backups).toBeGreaterThan(2 * 1024 * 1024);
    expect(du.backups).toBeLessThan(2 * 1024 * 1024 + 400 * 1024);
    expect(du.snapshots).toBe(2);
    const runsTotal = du.runs.reduce((n: number, x: { bytes: number }) => n + x.bytes, 0);
    expect(du.total).toBe(runsTotal + du.quarantine + du.other + du.backups);
  });

  it('prints a table, largest run first', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    writeLargeArtifact(dataDir, runId(0), 1);
    const r = runCli(['du', dataDir], { cwd: root });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('RUN'));
    expect(lines[header]).toMatch(/^RUN\s+TOTAL\s+METRICS\s+ARTIFACTS\s+LOGS\s+OTHER$/);
    expect(lines[header + 1]).toMatch(new RegExp(`^${runId(0)}\\s+1\\.0 MiB`));
    expect(lines[header + 2]).toContain(runId(1));
    expect(r.stdout).toMatch(/backups \(0\)\s+0 B/);
  });
});
