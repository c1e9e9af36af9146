import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { spawnSync } from 'node:child_process';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { validators } from '../helpers/engine.js';

describe('trackio-fsck check (the built CLI)', () => {
  it('finds .trackio upward from the working directory, like git finds .git', () => {
    const root = tempDir();
    makeDataDir(root, { runs: 2 });
    const deep = join(root, 'src', 'models');
    mkdirSync(deep, { recursive: true });
    const r = runCli(['check'], { cwd: deep });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 runs, 10 files');
    expect(r.stdout).toContain('no errors');
  });

  it('check is the default command and takes $TRACKIO_DIR', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    const r = runCli([], { cwd: tempDir(), env: { TRACKIO_DIR: dataDir } });
    expect(r.code).toBe(0);
  });

  it('exits 4 with --json that matches schemas/report.schema.json', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 2 });
    const expected = damage.truncateMidLine(dataDir, runId(1));
    const r = runCli(['check', dataDir, '--json']);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(validators.report!(report)).toBe(true);
    expect(report.exitCode).toBe(4);
    expect(report.layout).toBe('run-directory');
    const errors = report.findings.filter((f: { severity: string }) => f.severity === 'error');
    expect(errors).toMatchObject([{ code: 'jsonl/truncated-tail', path: expected.path, line: expected.line, offset: expected.offset }]);
  });

  it('prints findings grouped by run with path:line and the repair', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    damage.truncateMidLine(dataDir, runId(0));
    const r = runCli(['check', dataDir]);
    expect(r.stdout).toMatch(new RegExp(`runs/${runId(0)}\\n  error +jsonl/truncated-tail  metrics.jsonl:5 \\(byte \\d+\\)`));
    expect(r.stdout).toContain('repair: cut the file back');
    expect(r.stdout).toMatch(/1 run, 5 files, .*: 1 error, 0 warnings/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('no data dir: exit 8 naming every place looked', () => {
    const cwd = tempDir();
    const r = runCli(['check'], { cwd });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(join(cwd, '.trackio'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad usage: exit 16 and no stack trace', () => {
    const r = runCli(['check', '--no-such-flag']);
    expect(r.code).toBe(16);
    expect(r.stderr).toContain('unknown option --no-such-flag');
    expect(r.stderr).toContain('usage: trackio-fsck check [DIR]'); // a short usage comes with it
    const sub = runCli(['backups', 'frobnicate']);
    expect(sub.code).toBe(16);
    expect(sub.stderr).toContain('backups commands: list, verify, prune, diff');
    const none = runCli(['backups']);
    expect(none.code).toBe(16);
    expect(none.stderr).toContain('name a backups command: list, verify, prune, diff');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad option value is a usage error (exit 16), not a silent default', () => {
    const dataDir = makeDataDir(tempDir(), { runs: 1 });
    for (const bad of ['abc', '-1']) {
      const r = runCli(['check', dataDir, '--live-window', bad]);
      expect(r.code).toBe(16);
      expect(r.stderr).toContain('--live-window takes a number of seconds');
    }
  });

  it('a reader that closes the pipe early gets no stack trace', () => {
    // More than a pipe buffer (64 KiB) of report, so the writer is still writing when head exits.
    const dataDir = makeDataDir(tempDir(), { runs: 400 });
    for (let i = 0; i < 400; i++) damage.invalidLineInMiddle(dataDir, runId(i), 2);
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(BIN)} check ${JSON.stringify(dataDir)} --json | head -c 1`], { encoding: 'utf8' });
    expect(r.stdout).toBe('{');
    expect(r.stderr).toBe('');
  });

  it('the bundled demo shows the crashed run', () => {
    const r = runCli(['check', 'fixtures/demo', '--live-window', '0']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('jsonl/truncated-tail');
    expect(r.stdout).toContain('fs/leftover-temp');
  });
});
