import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TEMP_PREFIX } from './ownNames.js';
import { writeAll } from './writeAll.js';

/**
 * Creates `path` holding `content`, or returns false when it exists. The content is written and
 * fsynced under a temp name first and the file appears by link(2), which fails if the name is taken:
 * nobody ever sees the file empty. (O_EXCL then write leaves a moment when a lock file is empty, and
 * another process reading it then would take it for a dead owner's and take the lock too.)
 */
export async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  // The temp name goes whatever happens: a disk that fills up mid-write must not leave it behind.
  try {
    try {
      await writeAll(fh, Buffer.from(content), tmp);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}
