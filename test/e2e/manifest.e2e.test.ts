import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { validators } from '../helpers/engine.js';

const RUN = runId(0);

describe('trackio-fsck manifest (the built CLI)', () => {
  it('write, then verify: exit 0, and --json reports that match the schema', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    const w = runCli(['manifest', 'write', dataDir, '--json']);
    expect(w.code).toBe(0);
    const written = JSON.parse(w.stdout);
    expect(validators.report!(written)).toBe(true);
    expect(written.command).toBe('manifest write');
    expect(written.manifest).toMatchObject({ files: 10, added: 10, updated: 0, removed: 0 });

    const v = runCli(['manifest', 'verify', dataDir, '--json']);
    expect(v.code).toBe(0);
    const verified = JSON.parse(v.stdout);
    expect(validators.report!(verified)).toBe(true);
    expect(verified).toMatchObject({ command: 'manifest verify', exitCode: 0, findings: [], summary: { runs: 2, files: 10 } });
  });

  it('verify finds the data dir like check does and prints damage with exit 4', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 2 });
    expect(runCli(['manifest', 'write'], { cwd: root }).code).toBe(0);
    damage.rewriteRecordedBytes(dataDir, RUN);
    damage.appendRecords(dataDir, runId(1));
    const r = runCli(['manifest', 'verify'], { cwd: root });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`runs/${RUN}\n  error    manifest/modified  metrics.jsonl`);
    expect(r.stdout).not.toContain('manifest/appended');
    expect(r.stdout).toContain('1 metrics file appended to (not damage)');
    const verbose = runCli(['manifest', 'verify', '--verbose'], { cwd: root });
    expect(verbose.stdout).toContain('manifest/appended');
  });

  it('check tells an append from a change on both the single-thread and the worker-thread path', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2, steps: 40 });
    expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
    damage.rewriteRecordedBytes(dataDir, RUN);
    damage.appendRecords(dataDir, runId(1));
    for (const workers of ['0', '2']) {
      const env = { TRACKIO_FSCK_WORKERS: workers, TRACKIO_FSCK_PARALLEL_MIN_BYTES: '1', TRACKIO_FSCK_SEGMENT_BYTES: '256' };
      const r = runCli(['check', dataDir, '--json'], { env });
      const codes = JSON.parse(r.stdout).findings.map((f: { code: string; run: string }) => `${f.run} ${f.code}`);
      expect(codes, `workers=${workers}`).toContain(`${RUN} manifest/modified`);
      expect(codes, `workers=${workers}`).toContain(`${runId(1)} manifest/appended`);
      expect(r.code).toBe(4);
    }
  });

  it('check uses the manifest; check --fast does not read unchanged files', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    runCli(['manifest', 'write', dataDir]);
    damage.silentEdit(dataDir, RUN);
    const fast = runCli(['check', dataDir, '--fast']);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toContain('--fast: 10 files unchanged since the manifest');
    const full = runCli(['check', dataDir, '--json']);
    expect(full.code).toBe(4);
    expect(JSON.parse(full.stdout).findings.map((f: { code: string }) => f.code)).toEqual(['manifest/modified']);
  });

  it('no manifest: exit 8 with one clear line; garbage manifest: exit 8; no subcommand: exit 16', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const none = runCli(['manifest', 'verify', dataDir]);
    expect(none.code).toBe(8);
    expect(none.stderr).toMatch(/no manifest-sha256\.txt in .*manifest write/);
    expect(none.stderr).not.toMatch(/\n\s+at /);

    writeFileSync(join(dataDir, 'manifest-sha256.txt'), 'not a manifest\n');
    const garbage = runCli(['manifest', 'verify', dataDir]);
    expect(garbage.code).toBe(8);
    expect(garbage.stderr).toContain('is not a sha256sum manifest');

    const usage = runCli(['manifest']);
    expect(usage.code).toBe(16);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
  });

  it('write --run takes only that run; an unknown run is exit 8', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    const r = runCli(['manifest', 'write', dataDir, '--run', RUN, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).manifest.files).toBe(5);
    expect(readFileSync(join(dataDir, 'manifest-sha256.txt'), 'utf8')).not.toContain(runId(1));
    const bad = runCli(['manifest', 'write', dataDir, '--run', 'no-such-run']);
    expect(bad.code).toBe(8);
    expect(bad.stderr).toContain('no such run');
  });
});
