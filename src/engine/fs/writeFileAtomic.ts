import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FsckError } from '../errors.js';
import { fsyncDir } from './fsyncDir.js';
import { TEMP_PREFIX } from './ownNames.js';
import { sha256File } from './sha256File.js';
import { writeAll } from './writeAll.js';

export { TEMP_PREFIX } from './ownNames.js';

export type Chunks = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Replaces `path` atomically: write a temp file beside it (every byte, writeAll), fsync it, read it
 * back and compare its SHA-256 with what was written, rename it over the target, fsync the
 * directory. A crash at any instant leaves either the old file or the new one, never a mix, and a
 * temp the disk did not keep whole is never renamed into place. `mode` keeps the permissions of
 * the file it replaces when given.
 */
export async function writeFileAtomic(path: string, data: Chunks, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  const hash = createHash('sha256');
  let size = 0;
  const put = async (piece: string | Uint8Array) => {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    hash.update(bytes);
    size += bytes.length;
    await writeAll(fh, bytes, tmp);
  };
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await put(data);
    else for await (const piece of data as AsyncIterable<string | Uint8Array>) await put(piece);
    await fh.sync();
    await fh.close();
    const written = hash.digest('hex');
    const back = await sha256File(tmp);
    if (back.sha256 !== written || back.size !== size) throw new FsckError(`verification failed: ${tmp} read back different bytes than were written; ${path} was left as it was`);
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}
