import { chmod, lstat, readFile, rename, unlink } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { gitHooksDir } from './gitHooksDir.js';
import { CHAINED_NAME, HOOK_MARKER, hookScript } from './hookScript.js';

export interface InstallOptions {
  cwd?: string;
  /** Keep a foreign pre-commit hook and run it first, instead of refusing. */
  chain?: boolean;
  /** The Node.js and CLI file the hook should run (default: the ones running now). */
  node?: string;
  bin?: string;
}

export interface InstallResult {
  hook: string;
  action: 'installed' | 'updated';
  /** Where the previous hook now lives, when it was chained. */
  chained?: string;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    const st = await lstat(path);
    if (!st.isFile() && !st.isSymbolicLink()) throw new FsckError(`${path} exists and is not a file: left alone`);
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes the plain pre-commit hook into the hooks directory git uses. Never clobbers a hook it did
 * not write: without `chain` it refuses and says why; with `chain` it moves that hook aside (to
 * pre-commit.trackio-fsck-chained) and runs it first. Re-installing over its own hook updates it.
 */
export async function installHook(options: InstallOptions = {}): Promise<InstallResult> {
  const cwd = options.cwd ?? process.cwd();
  const dir = gitHooksDir(cwd);
  mkdirSync(dir, { recursive: true });
  const hook = join(dir, 'pre-commit');
  const chainedPath = join(dir, CHAINED_NAME);
  const current = await readIfExists(hook);
  const node = options.node ?? process.execPath;
  const bin = options.bin ?? process.argv[1]!;

  if (current !== undefined && current.includes(HOOK_MARKER)) {
    // Ours already: refresh it (a new install path), keeping whatever chain it had.
    const chained = await exists(chainedPath);
    await writeFileAtomic(hook, hookScript({ node, bin, chained }), 0o755);
    await chmod(hook, 0o755);
    return { hook, action: 'updated', ...(chained ? { chained: chainedPath } : {}) };
  }
  if (current !== undefined) {
    if (!options.chain) {
      throw new FsckError(
        `${hook} already exists and was not written by trackio-fsck: left alone.\n` +
          `Run 'trackio-fsck hook install --chain' to keep it and run it before trackio-fsck, or call trackio-fsck from it yourself:\n` +
          `  git diff --cached --name-only -z --diff-filter=ACMR | trackio-fsck hook run --files0-from - || exit $?`,
      );
    }
    if (await exists(chainedPath)) {
      throw new FsckError(`${chainedPath} already exists: a chained hook from an earlier install is in the way. Move it, then run install again.`);
    }
    // The old hook is moved, never copied or rewritten: its bytes and mode stay exactly as they were.
    await rename(hook, chainedPath);
    await fsyncDir(dir);
    try {
      await writeFileAtomic(hook, hookScript({ node, bin, chained: true }), 0o755);
      await chmod(hook, 0o755);
    } catch (err) {
      await rename(chainedPath, hook).catch(() => {});
      throw err;
    }
    return { hook, action: 'installed', chained: chainedPath };
  }
  await writeFileAtomic(hook, hookScript({ node, bin, chained: false }), 0o755);
  await chmod(hook, 0o755);
  return { hook, action: 'installed' };
}

export interface UninstallResult {
  hook: string;
  action: 'removed' | 'not-installed' | 'foreign';
  /** The chained hook put back in place, if there was one. */
  restored?: string;
}

/** Removes only the hook install wrote (recognised by its marker) and puts a chained hook back. */
export async function uninstallHook(options: { cwd?: string } = {}): Promise<UninstallResult> {
  const dir = gitHooksDir(options.cwd ?? process.cwd());
  const hook = join(dir, 'pre-commit');
  const chainedPath = join(dir, CHAINED_NAME);
  const current = await readIfExists(hook);
  if (current === undefined) return { hook, action: 'not-installed' };
  if (!current.includes(HOOK_MARKER)) return { hook, action: 'foreign' };
  if (await exists(chainedPath)) {
    // rename over ours: at every instant a pre-commit hook exists, ours or the restored one.
    await rename(chainedPath, hook);
    await fsyncDir(dir);
    return { hook, action: 'removed', restored: hook };
  }
  await unlink(hook);
  await fsyncDir(dir);
  return { hook, action: 'removed' };
}
