import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { FsckError } from '../errors.js';
import { bufferFor } from '../fs/readFileOnce.js';
import { openRegularFile } from '../fs/openRegularFile.js';
import { fsPath } from '../fs/pathBytes.js';
import { sha256File } from '../fs/sha256File.js';
import { writeAll } from '../fs/writeAll.js';

export interface CopyIntoResult {
  sha256: string;
  size: number;
  /** The source's size or mtime moved while it was read: a live writer. */
  changed: boolean;
}

/**
 * Copies `src` to a new file `dst` inside a tree that is itself still a temp (a snapshot being
 * built, a restore being staged), so unlike copyFileVerified there is no per-file rename and no
 * per-file directory fsync: the caller makes the whole tree durable (syncTree), then renames it.
 * The source is hashed as it is read; the copy is read back and hashed again; a mismatch
 * (or a source that does not match `expectSha256`) throws. Keeps mode and mtime.
 */
export async function copyFileInto(src: string, dst: string, expectSha256?: string, options: { fsync?: boolean } = {}): Promise<CopyIntoResult> {
  // Never through a link, never a FIFO or device: a snapshot's copy-out must not leave the snapshot.
  const { fh: input } = await openRegularFile(src);
  let output: FileHandle | undefined;
  const hash = createHash('sha256');
  let size = 0;
  let changed = false;
  let buf: Buffer;
  try {
    const before = await input.stat();
    buf = bufferFor(before.size);
    output = await open(fsPath(dst), 'wx', before.mode & 0o7777);
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      hash.update(chunk);
      await writeAll(output, chunk, dst);
      size += bytesRead;
    }
    const after = await input.stat();
    changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs || size !== before.size;
    await output.chmod(before.mode & 0o7777);
    // Seconds as a number keep sub-millisecond precision that a Date would drop.
    await output.utimes(before.atimeMs / 1000, before.mtimeMs / 1000);
    // A caller that syncs the whole tree at once (syncTree) skips the per-file fsync.
    if (options.fsync !== false) await output.sync();
  } finally {
    await output?.close();
    await input.close();
  }
  const sha256 = hash.digest('hex');
  const reread = await sha256File(dst);
  if (reread.sha256 !== sha256 || reread.size !== size) throw new FsckError(`verification failed: the copy of ${src} read back different bytes`);
  if (expectSha256 !== undefined && expectSha256 !== sha256) throw new FsckError(`verification failed: ${src} does not match its recorded hash`);
  return { sha256, size, changed };
}

