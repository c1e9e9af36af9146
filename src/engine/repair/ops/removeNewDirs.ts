import { lstat, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from '../../fs/fsyncDir.js';
import { safePath } from '../../fs/safePath.js';

/**
 * Undo of a copy that created folders (a run or a media folder only the other copy had): each one
 * goes again, innermost first, when it is empty; a folder someone filled since stays. Folders that
 * existed before the copy are never in the list, so undo leaves the tree as it was.
 */
export async function removeNewDirs(realDataDir: string, dirs: readonly string[] | undefined): Promise<void> {
  for (const rel of [...(dirs ?? [])].reverse()) {
    const abs = await safePath(realDataDir, rel).catch(() => undefined);
    const st = abs ? await lstat(abs).catch(() => undefined) : undefined;
    if (!abs || !st?.isDirectory()) continue;
    // ENOTEMPTY: another copy of this merge (or someone) still has a file there; that one removes it.
    if (await rmdir(abs).then(() => true, () => false)) await fsyncDir(dirname(abs));
  }
}
