import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FsckError } from '../errors.js';

/**
 * The directory git runs hooks from, as git itself computes it: honours core.hooksPath and
 * linked worktrees (whose hooks live in the main repository's common dir).
 */
export function gitHooksDir(cwd: string): string {
  let out: string;
  try {
    out = execFileSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new FsckError('git is not installed (or not on PATH): cannot find the hooks directory');
    throw new FsckError(`not inside a git repository (${cwd}): ${(e.stderr ?? '').trim() || 'git rev-parse failed'}`);
  }
  return resolve(cwd, out.trim());
}
