import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { git, gitOk, head, initRepo } from '../helpers/git.js';

/** A git repository with a .trackio data dir of `runs` healthy runs, committed, and the plain hook installed. */
function repoWithHook(runs = 2): { repo: string; dataDir: string; first: string } {
  const repo = initRepo(tempDir());
  const dataDir = makeDataDir(repo, { runs });
  writeFileSync(join(repo, 'train.py'), 'print("train")\n');
  gitOk(repo, ['add', '-A']);
  gitOk(repo, ['commit', '-qm', 'runs']);
  const r = runCli(['hook', 'install'], { cwd: repo });
  expect(r.code).toBe(0);
  return { repo, dataDir, first: head(repo) };
}

const FOREIGN_HOOK = '#!/bin/sh\necho "lint ran" >&2\nexit 0\n';

describe('trackio-fsck hook install: the plain git hook, with real commits', () => {
  it('blocks a commit of a truncated metrics.jsonl: HEAD stays, the message names the file and the mend', () => {
    const { repo, dataDir, first } = repoWithHook();
    const hurt = damage.truncateMidLine(dataDir, runId(1));
    gitOk(repo, ['add', '-A']);
    const r = git(repo, ['commit', '-m', 'more results']);
    expect(r.code).not.toBe(0);
    expect(head(repo)).toBe(first);
    expect(r.stderr).toContain(`.trackio/${hurt.path}:${hurt.line}: error jsonl/truncated-tail`);
    expect(r.stderr).toContain('trackio-fsck repair .trackio');
    expect(r.stderr).toContain('commit blocked');
  });

  it('lets a healthy new run through, silently', () => {
    const { repo, dataDir, first } = repoWithHook();
    writeRun(dataDir, runId(7));
    gitOk(repo, ['add', '-A']);
    const r = git(repo, ['commit', '-qm', 'run 7']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(head(repo)).not.toBe(first);
  });

  it('a live run (no summary.json, written moments ago) never blocks, even with an unfinished last line', () => {
    const { repo, dataDir, first } = repoWithHook();
    const run = writeRun(dataDir, runId(8), { finished: false, steps: 6 });
    damage.truncateMidLine(dataDir, runId(8));
    const now = new Date();
    utimesSync(join(run, 'metrics.jsonl'), now, now);
    gitOk(repo, ['add', '-A']);
    const r = git(repo, ['commit', '-qm', 'live run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`runs/${runId(8)}: live`);
    expect(head(repo)).not.toBe(first);
  });

  it('checks only the runs the commit touches, and a run deleted in the commit is fine', () => {
    const { repo, dataDir, first } = repoWithHook(3);
    damage.cutJson(dataDir, runId(0));
    gitOk(repo, ['commit', '-qam', 'damaged, committed past the hook', '--no-verify']);
    // A commit that touches another run is not blocked by run 0.
    writeFileSync(join(dataDir, 'runs', runId(2), 'logs', 'notes.txt'), 'fine\n');
    gitOk(repo, ['add', '-A']);
    expect(git(repo, ['commit', '-qm', 'notes']).code).toBe(0);
    // Deleting the damaged run is fine too.
    gitOk(repo, ['rm', '-rq', `.trackio/runs/${runId(0)}`]);
    const r = git(repo, ['commit', '-qm', 'drop the broken run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(head(repo)).not.toBe(first);
  });

  it('warnings do not block; with --strict they do', () => {
    const { repo, dataDir } = repoWithHook();
    damage.removeFinalNewline(dataDir, runId(0));
    gitOk(repo, ['add', '-A']);
    const staged = [`.trackio/runs/${runId(0)}/metrics.jsonl`];
    const lenient = runCli(['hook', 'run', ...staged], { cwd: repo });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('warning jsonl/missing-final-newline');
    expect(lenient.stderr).not.toContain('commit blocked');
    const strict = runCli(['hook', 'run', '--strict', ...staged], { cwd: repo });
    expect(strict.code).toBe(4);
    expect(strict.stderr).toContain('commit blocked (1 warning in staged runs)');
  });

  it('respects core.hooksPath', () => {
    const repo = initRepo(tempDir());
    const dataDir = makeDataDir(repo, { runs: 1 });
    gitOk(repo, ['config', 'core.hooksPath', 'githooks']);
    const r = runCli(['hook', 'install'], { cwd: repo });
    expect(r.code).toBe(0);
    const hook = join(repo, 'githooks', 'pre-commit');
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    damage.truncateMidLine(dataDir, runId(0));
    gitOk(repo, ['add', '.trackio']);
    expect(git(repo, ['commit', '-qm', 'x']).code).not.toBe(0);
    expect(head(repo)).toBe('');
  });

  it('from a linked worktree, installs where git looks for hooks (the common .git/hooks)', () => {
    const { repo } = repoWithHook(1);
    runCli(['hook', 'uninstall'], { cwd: repo });
    const wt = join(tempDir(), 'wt');
    gitOk(repo, ['worktree', 'add', '-q', wt]);
    expect(runCli(['hook', 'install'], { cwd: wt }).code).toBe(0);
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-commit'))).toBe(true);
    const before = head(wt);
    damage.truncateMidLine(join(wt, '.trackio'), runId(0));
    gitOk(wt, ['add', '-A']);
    const r = git(wt, ['commit', '-qm', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('jsonl/truncated-tail');
    expect(head(wt)).toBe(before);
  });

  it('never clobbers a hook it did not write: refuses, and leaves it byte for byte', () => {
    const repo = initRepo(tempDir());
    const hook = join(repo, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, FOREIGN_HOOK);
    chmodSync(hook, 0o755);
    const r = runCli(['hook', 'install'], { cwd: repo });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('was not written by trackio-fsck');
    expect(r.stderr).toContain('--chain');
    expect(readFileSync(hook, 'utf8')).toBe(FOREIGN_HOOK);
    // uninstall leaves a foreign hook alone too.
    const u = runCli(['hook', 'uninstall'], { cwd: repo });
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('left alone');
    expect(readFileSync(hook, 'utf8')).toBe(FOREIGN_HOOK);
  });

  it('--chain keeps the existing hook, runs it first, keeps its verdict; uninstall puts it back', () => {
    const repo = initRepo(tempDir());
    makeDataDir(repo, { runs: 1 });
    const hooks = join(repo, '.git', 'hooks');
    const hook = join(hooks, 'pre-commit');
    const failing = '#!/bin/sh\necho "lint says no" >&2\nexit 3\n';
    writeFileSync(hook, failing);
    chmodSync(hook, 0o755);
    const r = runCli(['hook', 'install', '--chain'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(readFileSync(join(hooks, 'pre-commit.trackio-fsck-chained'), 'utf8')).toBe(failing);
    gitOk(repo, ['add', '-A']);
    const blocked = git(repo, ['commit', '-qm', 'x']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('lint says no');
    expect(head(repo)).toBe('');

    writeFileSync(join(hooks, 'pre-commit.trackio-fsck-chained'), FOREIGN_HOOK);
    const passed = git(repo, ['commit', '-qm', 'x']);
    expect(passed.code).toBe(0);
    expect(passed.stderr).toContain('lint ran');

    // Installing again updates ours and keeps the chain.
    expect(runCli(['hook', 'install'], { cwd: repo }).stdout).toContain('updated');
    const u = runCli(['hook', 'uninstall'], { cwd: repo });
    expect(u.code).toBe(0);
    expect(readFileSync(hook, 'utf8')).toBe(FOREIGN_HOOK);
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(existsSync(join(hooks, 'pre-commit.trackio-fsck-chained'))).toBe(false);
  });

  it('uninstall removes only its own hook', () => {
    const { repo } = repoWithHook(1);
    const hooks = join(repo, '.git', 'hooks');
    writeFileSync(join(hooks, 'pre-push'), FOREIGN_HOOK);
    const u = runCli(['hook', 'uninstall'], { cwd: repo });
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('removed');
    expect(existsSync(join(hooks, 'pre-commit'))).toBe(false);
    expect(readFileSync(join(hooks, 'pre-push'), 'utf8')).toBe(FOREIGN_HOOK);
    expect(runCli(['hook', 'uninstall'], { cwd: repo }).stdout).toContain('no trackio-fsck hook installed');
  });

  it('install outside a git repository: exit 8 and one clear line', () => {
    const r = runCli(['hook', 'install'], { cwd: tempDir() });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('not inside a git repository');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('trackio-fsck hook run: which files belong to which runs', () => {
  it('finds data dirs anywhere in the repository by their runs/, and ignores runs/ folders that hold no runs', () => {
    const repo = tempDir();
    const other = join(repo, 'experiments', 'store');
    mkdirSync(join(other, 'runs'), { recursive: true });
    writeRun(other, 'exp-1');
    damage.appendNulTail(other, 'exp-1');
    mkdirSync(join(repo, 'src', 'runs', 'handlers'), { recursive: true });
    writeFileSync(join(repo, 'src', 'runs', 'handlers', 'index.ts'), 'export {};\n');
    const r = runCli(['hook', 'run', 'src/runs/handlers/index.ts', 'README.md', 'experiments/store/runs/exp-1/metrics.jsonl', '--json'], { cwd: repo });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.ignored).toBe(2);
    expect(doc.checked).toMatchObject([{ shown: 'experiments/store', runs: ['exp-1'] }]);
    expect(doc.checked[0].findings.map((f: { code: string }) => f.code)).toEqual(['jsonl/nul-bytes']);
  });

  it('a data dir kept inside a run (as an artifact) belongs to that run', () => {
    const repo = tempDir();
    const dataDir = makeDataDir(repo, { runs: 1 });
    const inner = join(dataDir, 'runs', runId(0), 'artifacts', 'imported');
    writeRun(inner, 'inner-run');
    const r = runCli(['hook', 'run', `.trackio/runs/${runId(0)}/artifacts/imported/runs/inner-run/config.json`, '--json'], { cwd: repo });
    const doc = JSON.parse(r.stdout);
    expect(doc.checked).toMatchObject([{ shown: '.trackio', runs: [runId(0)] }]);
  });

  it('no run files: nothing to check, exit 0, no output', () => {
    const r = runCli(['hook', 'run', 'train.py'], { cwd: tempDir() });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
