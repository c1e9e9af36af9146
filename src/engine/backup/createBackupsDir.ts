import { lstat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDir } from '../fs/fsyncDir.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';

/** Written into a BACKUPS folder trackio-fsck creates: snapshots beside a data dir in a repository are not for git. */
export const BACKUPS_GITIGNORE = '# trackio-fsck snapshots: kept out of git (they can be large); delete this file to commit them\n*\n';

/**
 * mkdir -p BACKUPS. When this call creates the folder it also writes a `.gitignore` (`*`) into it,
 * since the default place (beside the data dir) is often inside a repository; a folder that already
 * existed is the user's and gets nothing.
 */
export async function createBackupsDir(backupsDir: string): Promise<void> {
  const existed = await lstat(backupsDir).then(() => true, () => false);
  await mkdir(backupsDir, { recursive: true });
  if (existed) return;
  await writeFileAtomic(join(backupsDir, '.gitignore'), BACKUPS_GITIGNORE);
  await fsyncDir(dirname(backupsDir));
}
