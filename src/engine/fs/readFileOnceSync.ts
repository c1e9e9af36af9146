import { closeSync, readSync } from 'node:fs';
import { FileHash } from './FileHash.js';
import { openRegularSync } from './openRegularSync.js';
import { reportRead } from './readProgress.js';
import type { ReadOptions, ReadResult } from './readFileOnce.js';

/**
 * readFileOnce for small files, synchronously, into a buffer the caller reuses: open, fstat, read
 * until EOF, close, and nothing else. A promise per call (open, fstat, two reads, close: five
 * thread-pool round trips, each a futex wake and an eventfd write on the main thread) cost more
 * than the reads of a tiny file: 10 000 tiny runs made 750 000 futex calls. Same rules as
 * openRegularFile (O_NOFOLLOW, O_NONBLOCK, a regular file or nothing read) and readFileOnce (every
 * byte to EOF, a file that grows while it is read included, each chunk hashed and handed to
 * `onChunk`, which must not keep it: the next read overwrites it).
 *
 * The buffer is filled from its start before a chunk is handed over, so a file smaller than the
 * buffer arrives as one chunk.
 */
export function readFileOnceSync(path: string, buf: Buffer, onChunk?: (chunk: Buffer) => void, opts: ReadOptions = {}): ReadResult {
  const { fd, stat } = openRegularSync(path);
  try {
    const hash = new FileHash(opts.prefixBytes);
    let size = 0;
    let filled = 0;
    const flush = (): void => {
      const chunk = filled === buf.length ? buf : buf.subarray(0, filled);
      hash.update(chunk);
      onChunk?.(chunk);
      reportRead(filled);
      filled = 0;
    };
    for (;;) {
      const n = readSync(fd, buf, filled, buf.length - filled, null);
      if (n === 0) break;
      filled += n;
      size += n;
      if (filled === buf.length) flush();
    }
    if (filled > 0) flush();
    const result: ReadResult = { sha256: hash.digest(), size, stat };
    if (hash.prefixSha256 !== undefined) result.prefixSha256 = hash.prefixSha256;
    return result;
  } finally {
    closeSync(fd);
  }
}
