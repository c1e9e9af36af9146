import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

import { TEMP_PREFIX } from './ownNames.js';

export { TEMP_PREFIX };

export type Chunks = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Replaces `path` atomically: write a temp file beside it, fsync it, rename it over the target,
 * fsync the directory. A crash at any instant leaves either the old file or the new one, never a
 * mix. `mode` keeps the permissions of the file it replaces when given.
 */
export async function writeFileAtomic(path: string, data: Chunks, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      await fh.writeFile(data);
    } else {
      for await (const piece of data as AsyncIterable<string | Uint8Array>) await fh.write(typeof piece === 'string' ? Buffer.from(piece) : piece);
    }
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}
