import { spawnSync } from 'node:child_process';

/** Identity and isolation for test repositories: no user or system git config leaks in. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  NO_COLOR: '1',
  FORCE_COLOR: '',
  TRACKIO_DIR: '',
};

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git in `cwd` as a user would (hooks included). */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): GitResult {
  const r = spawnSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** git that must succeed; returns its trimmed stdout. */
export function gitOk(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = git(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

export function initRepo(dir: string): string {
  gitOk(dir, ['init', '-q', '-b', 'main']);
  return dir;
}

export function head(dir: string): string {
  return git(dir, ['rev-parse', '--verify', '-q', 'HEAD']).stdout.trim();
}
