import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FsckError } from '../errors.js';
import { fsyncDir } from './fsyncDir.js';
import { openRegularFile } from './openRegularFile.js';
import { CHUNK_BYTES } from './readFileOnce.js';
import { sha256File } from './sha256File.js';
import { COPY_TEMP_INFIX } from './ownNames.js';
import { writeAll } from './writeAll.js';

export { COPY_TEMP_INFIX } from './ownNames.js';

export interface CopyResult {
  sha256: string;
  size: number;
}

/**
 * Copies `src` to `dst` and proves it: the source is hashed while it is read, the copy is fsynced,
 * then read back from disk and hashed again. Throws when the two differ, or when the source does not
 * match `expectSha256`. The copy is written under a temp name and renamed, so `dst` is either absent
 * or complete. Keeps the source's mtime.
 */
export async function copyFileVerified(src: string, dst: string, expectSha256?: string): Promise<CopyResult> {
  const tmp = `${dst}${COPY_TEMP_INFIX}${process.pid}`;
  const { fh: input } = await openRegularFile(src);
  // O_NOFOLLOW: a link planted at the temp name is never written through.
  const output = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644).catch(async (err) => {
    await input.close();
    throw err;
  });
  const hash = createHash('sha256');
  let size = 0;
  let mtime: Date;
  try {
    const st = await input.stat();
    mtime = st.mtime;
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      await writeAll(output, chunk, tmp);
      size += bytesRead;
    }
    await output.sync();
  } catch (err) {
    await output.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  } finally {
    await input.close();
  }
  await output.close();
  const sha256 = hash.digest('hex');
  const reread = await sha256File(tmp);
  if (reread.sha256 !== sha256 || reread.size !== size || (expectSha256 !== undefined && expectSha256 !== sha256)) {
    await unlink(tmp).catch(() => {});
    const why = expectSha256 !== undefined && expectSha256 !== sha256 ? `source ${src} does not match its recorded hash` : `copy of ${src} read back different bytes`;
    throw new FsckError(`verification failed: ${why}`);
  }
  await utimes(tmp, mtime, mtime);
  await rename(tmp, dst);
  await fsyncDir(dirname(dst));
  return { sha256, size };
}
