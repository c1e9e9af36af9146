import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export const CHUNK_BYTES = 1024 * 1024;

export interface ReadResult {
  sha256: string;
  size: number;
  stat: Stats;
}

/**
 * Reads a file exactly once, read-only, in fixed-size chunks through one reused buffer, hashing
 * every byte with SHA-256 as it goes and handing each chunk to `onChunk` (which must not keep it).
 * Memory stays at one chunk whatever the file's size.
 */
export async function readFileOnce(path: string, onChunk?: (chunk: Buffer) => void | Promise<void>): Promise<ReadResult> {
  // O_NONBLOCK: a FIFO swapped in after the walk must not hang the check (no effect on regular files).
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error('not a regular file (it changed since the directory was listed)');
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      hash.update(chunk);
      // A consumer that needs to wait (back-pressure) returns a promise; the hot path does not.
      const pending = onChunk?.(chunk);
      if (pending) await pending;
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size, stat };
  } finally {
    await fh.close();
  }
}
