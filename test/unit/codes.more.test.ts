import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { backup, check, verifySnapshot } from '../../src/index.js';

// Codes whose damage the other suites do not make: each made here, on real files, and asserted exactly.
const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trackio-fsck-codes-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
const codes = (findings: Array<{ code: string }>) => findings.map((f) => f.code);

describe('finding codes', () => {
  it('json/nonfinite-number: a config.json with bare NaN, as Python writes it, is read and warned about', async () => {
    const dataDir = makeDataDir(temp(), { runs: 1 });
    writeFileSync(join(dataDir, 'runs', runId(0), 'config.json'), '{"lr": NaN, "clip": Infinity}\n');
    const { report } = await check(dataDir, { liveWindowMs: 0, manifest: false });
    expect(codes(report.findings)).toEqual(['json/nonfinite-number']);
    expect(report.findings[0]!.severity).toBe('warning');
  });

  it('backup/not-copied: a FIFO in a run is left out of the snapshot, and said so', async () => {
    const root = temp();
    const dataDir = makeDataDir(root, { runs: 1 });
    execFileSync('mkfifo', [join(dataDir, 'runs', runId(0), 'logs', 'pipe')]);
    const result = await backup(dataDir, { dest: join(root, 'b') });
    expect(codes(result.findings)).toContain('backup/not-copied');
    expect(result.findings.find((f) => f.code === 'backup/not-copied')!.path).toBe(`runs/${runId(0)}/logs/pipe`);
  });

  it('backup/source-changed: a file deleted while the backup runs is named, not silently missing', async () => {
    const root = temp();
    const dataDir = makeDataDir(root, { runs: 2 });
    const victim = join(dataDir, 'runs', runId(1), 'summary.json');
    const result = await backup(dataDir, { dest: join(root, 'b'), concurrency: 1 }, (e) => {
      if (e.type === 'start') unlinkSync(victim);
    });
    expect(result.findings.map((f) => [f.code, f.path])).toContainEqual(['backup/source-changed', `runs/${runId(1)}/summary.json`]);
  });

  it('backup/manifest-invalid: a torn line in a snapshot manifest makes the snapshot damaged', async () => {
    const root = temp();
    const dataDir = makeDataDir(root, { runs: 1 });
    const { snapshot } = await backup(dataDir, { dest: join(root, 'b') });
    writeFileSync(join(snapshot.path, 'manifest-sha256.txt'), 'not a sha256sum line\n', { flag: 'a' });
    const v = await verifySnapshot(snapshot.path);
    expect(v.ok).toBe(false);
    expect(codes(v.findings)).toContain('backup/manifest-invalid');
  });
});
