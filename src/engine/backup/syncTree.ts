import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { fsyncDir } from '../fs/fsyncDir.js';
import { fsPath } from '../fs/pathBytes.js';
import { forEachConcurrently } from '../forEachConcurrently.js';

/**
 * Makes a freshly written tree durable before it is renamed into place. One syncfs(2) of the
 * filesystem (coreutils `sync -f`, which reports write errors since Linux 5.8) costs about what
 * `cp -r && sync` does; thousands of fsyncs, one per file and directory, cost several times more.
 * Where `sync -f` is missing or fails, every file and directory is fsynced, many at a time.
 */
export async function syncTree(root: string, files: string[], dirs: string[]): Promise<void> {
  if (process.platform === 'linux' && !process.env.TRACKIO_FSCK_NO_SYNCFS) {
    const r = spawnSync('sync', ['-f', root], { stdio: 'ignore' });
    if (r.status === 0) return;
  }
  await forEachConcurrently(files, 16, async (f) => {
    const fh = await open(fsPath(f), 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
  await forEachConcurrently(dirs, 16, fsyncDir);
}
