import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export const CHUNK_BYTES = 1024 * 1024;

export interface ReadResult {
  sha256: string;
  size: number;
  stat: Stats;
  /** SHA-256 of the first `prefixBytes` bytes, when asked for and the file is at least that long. */
  prefixSha256?: string;
}

export interface ReadOptions {
  /** Also hash the first this many bytes (an append-only file's recorded length), in the same pass. */
  prefixBytes?: number;
}

/**
 * Reads a file exactly once, read-only, in fixed-size chunks through one reused buffer, hashing
 * every byte with SHA-256 as it goes and handing each chunk to `onChunk` (which must not keep it).
 * Memory stays at one chunk whatever the file's size.
 */
export async function readFileOnce(path: string, onChunk?: (chunk: Buffer) => void | Promise<void>, opts: ReadOptions = {}): Promise<ReadResult> {
  // O_NONBLOCK: a FIFO swapped in after the walk must not hang the check (no effect on regular files).
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error('not a regular file (it changed since the directory was listed)');
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let size = 0;
    const prefixBytes = opts.prefixBytes;
    let prefixSha256: string | undefined = prefixBytes === 0 ? hash.copy().digest('hex') : undefined;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      if (prefixBytes !== undefined && size < prefixBytes && size + bytesRead >= prefixBytes) {
        // The prefix ends in this chunk: snapshot the running hash there, so no byte is hashed twice.
        const cut = prefixBytes - size;
        hash.update(chunk.subarray(0, cut));
        prefixSha256 = hash.copy().digest('hex');
        hash.update(chunk.subarray(cut));
      } else {
        hash.update(chunk);
      }
      // A consumer that needs to wait (back-pressure) returns a promise; the hot path does not.
      const pending = onChunk?.(chunk);
      if (pending) await pending;
      size += bytesRead;
    }
    const result: ReadResult = { sha256: hash.digest('hex'), size, stat };
    if (prefixSha256 !== undefined) result.prefixSha256 = prefixSha256;
    return result;
  } finally {
    await fh.close();
  }
}
