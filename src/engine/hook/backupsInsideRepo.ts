import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isInside } from '../fs/isInside.js';
import { resolveBackupsDir } from '../backup/resolveBackupsDir.js';

export interface BackupsInRepo {
  backupsDir: string;
  repoRoot: string;
  /** git ignores the folder (a .gitignore says so), so `git add .` will not stage snapshots. */
  ignored: boolean;
}

/**
 * Where BACKUPS would be for the data dir found from `cwd`, when that lies inside the git repository
 * of `cwd`: a backup inside the repository is lost with it, and unless ignored `git add .` stages every
 * snapshot. Undefined when BACKUPS is elsewhere, or cannot be decided (no data dir, not a repository).
 */
export function backupsInsideRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): BackupsInRepo | undefined {
  let backupsDir: string;
  try {
    backupsDir = resolveBackupsDir({ cwd, env });
  } catch {
    return undefined;
  }
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' });
  if (top.status !== 0) return undefined;
  const repoRoot = realOrSelf(top.stdout.trim());
  const real = realOrSelf(backupsDir);
  if (!isInside(repoRoot, real)) return undefined;
  const rel = relative(repoRoot, real) || '.';
  // check-ignore answers for a path that does not exist yet too: what `git add` would do once it does.
  const ignored = spawnSync('git', ['check-ignore', '-q', '--no-index', `${rel}/x`], { cwd: repoRoot }).status === 0;
  return { backupsDir: real, repoRoot, ignored };
}

/** The real path of the nearest existing ancestor, with the rest appended (BACKUPS may not exist yet). */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(realOrSelf(parent), basename(p));
  }
}
