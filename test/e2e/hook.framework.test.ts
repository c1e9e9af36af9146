import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId, writeRun } from '../../fixtures/build/dataDir.mjs';
import { ROOT } from '../helpers/cli.js';
import { git, GIT_ENV, gitOk, head } from '../helpers/git.js';

// The real pre-commit framework (Debian's package `pre-commit`, installed by .ci/run) installing this
// project as a `language: node` hook repository exactly as it would from GitHub: clone, `npm install`
// (prepare builds dist/), `npm pack`, `npm install -g` of the tarball, then real `git commit`s.
const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const HAVE_PRE_COMMIT = preCommit.status === 0;

/** Folders that are built or installed, never committed. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '.git', join('bench', 'data')]);

/**
 * pre-commit's npm installs better-sqlite3 twice (in the clone, then globally from the packed
 * tarball). On a user's machine prebuild-install downloads a prebuilt binary; here only the npm
 * registry is reachable, so it would compile SQLite from source twice (minutes). Instead it is
 * offered, through prebuild-install's documented local-prebuilds setting, the very binary this
 * checkout already built. Should the versions differ, the name does not match and it compiles.
 */
function localSqlitePrebuild(scratch: string): NodeJS.ProcessEnv {
  const pkgDir = join(ROOT, 'node_modules', 'better-sqlite3');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(scratch, 'prebuilds');
  mkdirSync(dir);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tar = spawnSync('tar', ['czf', join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node'], { encoding: 'utf8' });
  if (tar.status !== 0) return {};
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

describe.runIf(HAVE_PRE_COMMIT)('the pre-commit framework with this repository as a hook repo', () => {
  let scratch: string;
  let hookRepo: string;
  let user: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  function preCommitRun(args: string[]) {
    return spawnSync('pre-commit', args, { cwd: user, env: { ...process.env, ...env }, encoding: 'utf8' });
  }

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'trackio-fsck-pre-commit-'));
    // The hook repo: the project's files as they are now, committed in a fresh repository.
    hookRepo = join(scratch, 'hook-repo');
    cpSync(ROOT, hookRepo, { recursive: true, filter: (src) => !NOT_SOURCE.has(relative(ROOT, src)) });
    gitOk(hookRepo, ['init', '-q', '-b', 'main']);
    gitOk(hookRepo, ['add', '-A']);
    gitOk(hookRepo, ['commit', '-qm', 'trackio-fsck']);
    const rev = head(hookRepo);

    user = join(scratch, 'user');
    gitOk(scratch, ['init', '-q', '-b', 'main', user]);
    writeFileSync(join(user, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: trackio-fsck\n`);
    dataDir = makeDataDir(user, { runs: 2 });
    env = { ...GIT_ENV, PRE_COMMIT_HOME: join(scratch, 'pre-commit-home'), ...localSqlitePrebuild(scratch) };
    const installed = preCommitRun(['install']);
    expect(installed.status, installed.stderr + installed.stdout).toBe(0);
    // Builds the hook environment once (npm install compiles better-sqlite3 from source: minutes).
    const hooks = preCommitRun(['install-hooks']);
    expect(hooks.status, `${hooks.stdout}\n${hooks.stderr}`).toBe(0);
    gitOk(user, ['add', '-A'], env);
    const first = git(user, ['commit', '-m', 'healthy runs'], env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 900_000);

  // The hook environment holds a whole node_modules: removing it outlasts the 10 s default on a loaded machine.
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it('the first commit of healthy runs went through the hook', () => {
    expect(gitOk(user, ['log', '--format=%s'], env)).toBe('healthy runs');
    // pre-commit skips a hook only when no staged file matched; this one matched the runs.
    const again = preCommitRun(['run', '--all-files']);
    expect(again.stdout).toMatch(/trackio-fsck.*Passed/);
  });

  it('blocks a staged truncated metrics.jsonl: commit fails, HEAD unchanged, the message says how to mend', () => {
    const before = head(user);
    const hurt = damage.truncateMidLine(dataDir, runId(1));
    gitOk(user, ['add', '-A'], env);
    const r = git(user, ['commit', '-m', 'truncated'], env);
    expect(r.code).not.toBe(0);
    expect(head(user)).toBe(before);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/trackio-fsck.*Failed/);
    expect(out).toContain(`.trackio/${hurt.path}:${hurt.line}: error jsonl/truncated-tail`);
    expect(out).toContain('trackio-fsck repair .trackio');
    gitOk(user, ['reset', '-q', '--hard'], env);
  });

  it('lets a healthy run through and ignores files outside data dirs', () => {
    const before = head(user);
    writeRun(dataDir, runId(5));
    writeFileSync(join(user, 'train.py'), 'print(1)\n');
    gitOk(user, ['add', '-A'], env);
    const r = git(user, ['commit', '-m', 'run 5'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(head(user)).not.toBe(before);
  });
});
