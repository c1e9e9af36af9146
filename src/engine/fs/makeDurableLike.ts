import { chmod, lstat, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

/**
 * A rebuilt copy (a database op's temp) made ready to take `original`'s place: the original's
 * permission bits, its bytes fsynced, and its directory entry fsynced, so the rename that follows
 * cannot expose a copy the kernel has not written.
 */
export async function makeDurableLike(temp: string, original: string): Promise<void> {
  await chmod(temp, (await lstat(original)).mode & 0o7777);
  const fh = await open(temp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(dirname(temp));
}
