import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Opens a file read-only and proves it is a regular file. O_NONBLOCK: a FIFO swapped in after the
 * directory was listed must not hang the check (it has no effect on regular files).
 */
export async function openRegularFile(path: string): Promise<{ fh: FileHandle; stat: Stats }> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const stat = await fh.stat();
  if (!stat.isFile()) {
    await fh.close();
    throw new Error('not a regular file (it changed since the directory was listed)');
  }
  return { fh, stat };
}
