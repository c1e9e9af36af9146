import type { FileHandle } from 'node:fs/promises';

/** The part of a FileHandle writeAll needs. */
export type WritableHandle = Pick<FileHandle, 'write'>;

/**
 * Writes every byte of `data` at the handle's current offset, or throws. write(2) may write fewer
 * bytes than asked (a disk that fills up mid-write, a signal), and a caller that ignores the count
 * leaves a hole in the file: this loops until all is written. A write of zero bytes makes no
 * progress and never will: it throws ENOSPC, naming `path` when given.
 */
export async function writeAll(fh: WritableHandle, data: Uint8Array, path?: string): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, null).catch((err: NodeJS.ErrnoException) => {
      // A write on a handle names no file: say which one, for the one-line message.
      if (path && err && typeof err === 'object' && err.path === undefined) err.path = path;
      throw err;
    });
    if (!(bytesWritten > 0)) {
      const where = path ? `, write '${path}'` : '';
      throw Object.assign(new Error(`ENOSPC: no space left on device${where} (wrote ${done} of ${data.length} bytes)`), { code: 'ENOSPC', errno: -28, syscall: 'write', ...(path ? { path } : {}) });
    }
    done += bytesWritten;
  }
}
