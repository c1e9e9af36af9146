import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { fsyncDir } from '../fs/fsyncDir.js';
import { ignoreStateDir } from '../fs/ignoreStateDir.js';

import { STATE_DIR } from '../fs/ownNames.js';

export { STATE_DIR, QUARANTINE_DIR } from '../fs/ownNames.js';

/**
 * Creates (if needed) a folder directly in the data dir and returns its path, refusing one that is a
 * symbolic link or not a directory: what repair writes there must stay inside the data dir.
 */
export async function ensureOwnDir(realDataDir: string, name: string): Promise<string> {
  const path = join(realDataDir, name);
  const st = await lstat(path).catch(() => undefined);
  if (st?.isSymbolicLink() || (st && !st.isDirectory())) {
    throw new FsckError(`${path} is not a plain directory (a link or a file): trackio-fsck will not write there`);
  }
  if (!st) {
    await mkdir(path, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await fsyncDir(realDataDir);
    if (name === STATE_DIR) await ignoreStateDir(path);
  }
  return path;
}

export function ensureStateDir(realDataDir: string): Promise<string> {
  return ensureOwnDir(realDataDir, STATE_DIR);
}

/** mkdir -p below a directory we own, fsyncing each parent so the new entries survive a power cut. */
export async function mkdirDurable(base: string, relDir: string): Promise<string> {
  let dir = base;
  for (const part of relDir.split('/').filter(Boolean)) {
    const next = join(dir, part);
    const st = await lstat(next).catch(() => undefined);
    if (st?.isSymbolicLink() || (st && !st.isDirectory())) throw new FsckError(`${next} is not a plain directory: trackio-fsck will not write there`);
    if (!st) {
      await mkdir(next, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await fsyncDir(dir);
      if (dir === base && part === STATE_DIR) await ignoreStateDir(next);
    }
    dir = next;
  }
  return dir;
}
