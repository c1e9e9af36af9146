import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { git, gitOk, head, initRepo } from '../helpers/git.js';

/** A repository whose .trackio has a manifest, everything committed, and the plain hook installed. */
function repoWithManifest(runs = 2): { repo: string; dataDir: string; first: string } {
  const repo = initRepo(tempDir());
  const dataDir = makeDataDir(repo, { runs });
  expect(runCli(['manifest', 'write', dataDir]).code).toBe(0);
  writeFileSync(join(repo, 'train.py'), 'print("train")\n');
  gitOk(repo, ['add', '-A']);
  gitOk(repo, ['commit', '-qm', 'runs and their manifest']);
  expect(runCli(['hook', 'install'], { cwd: repo }).code).toBe(0);
  return { repo, dataDir, first: head(repo) };
}

describe('the hook verifies staged runs against the manifest, with real commits', () => {
  it('manifest/modified blocks: a recorded byte changed in place, even though size, mtime and inode stayed as recorded', () => {
    const { repo, dataDir, first } = repoWithManifest();
    const file = join(dataDir, 'runs', runId(1), 'metrics.jsonl');
    const before = statSync(file);
    const hurt = damage.rewriteRecordedBytes(dataDir, runId(1), false);
    const after = statSync(file);
    // What --fast alone would trust: the file is staged, so the hook reads it anyway.
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    // git's index trusts the unchanged stat as well: make it hash the file again.
    gitOk(repo, ['rm', '-q', '--cached', `.trackio/${hurt.path}`]);
    gitOk(repo, ['add', '-A']);
    const r = git(repo, ['commit', '-m', 'tampered']);
    expect(r.code).not.toBe(0);
    expect(head(repo)).toBe(first);
    expect(r.stderr).toContain(`.trackio/${hurt.path}: error manifest/modified`);
    expect(r.stderr).toContain('commit blocked (1 error in staged runs)');
  });

  it('manifest/appended and manifest/new never block, and print nothing', () => {
    const { repo, dataDir, first } = repoWithManifest();
    damage.appendRecords(dataDir, runId(0));
    damage.addFile(dataDir, runId(0));
    gitOk(repo, ['add', '-A']);
    const r = git(repo, ['commit', '-qm', 'more steps, a plot']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(head(repo)).not.toBe(first);
  });

  it('reports them with --json (info), and blocks on the error only', () => {
    const { repo, dataDir } = repoWithManifest(3);
    const grown = damage.appendRecords(dataDir, runId(0));
    const added = damage.addFile(dataDir, runId(0));
    const changed = damage.rewriteRecordedBytes(dataDir, runId(2));
    const r = runCli(['hook', 'run', '--json', grown.path, added.path, changed.path].map((p, i) => (i > 2 ? `.trackio/${p}` : p)), { cwd: repo });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    const findings = doc.checked.flatMap((d: { findings: Array<{ code: string; path: string; severity: string }> }) => d.findings);
    expect(findings.filter((f: { code: string }) => f.code.startsWith('manifest/')).map((f: { code: string; path: string; severity: string }) => [f.code, f.path, f.severity])).toEqual([
      [added.code, added.path, 'info'],
      [grown.code, grown.path, 'info'],
      [changed.code, changed.path, 'error'],
    ]);
    expect(doc.errors).toBe(1);
  });
});
