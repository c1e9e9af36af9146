import { FileHash } from './FileHash.js';
import { openRegularFile } from './openRegularFile.js';
import { reportRead } from './readProgress.js';
import type { Stats } from 'node:fs';

export const CHUNK_BYTES = 1024 * 1024;

/** A read buffer sized to the file: most files of a data dir are small, and a 1 MiB buffer per file is garbage-collector work. */
export function bufferFor(size: number): Buffer {
  return Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(4096, size)));
}

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
  const { fh, stat } = await openRegularFile(path);
  try {
    const hash = new FileHash(opts.prefixBytes);
    // A file that grows while it is read (a live run) still gets every byte: the loop reads until EOF.
    const buf = bufferFor(stat.size);
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
      reportRead(bytesRead);
    }
    const result: ReadResult = { sha256: hash.digest(), size, stat };
    if (hash.prefixSha256 !== undefined) result.prefixSha256 = hash.prefixSha256;
    return result;
  } finally {
    await fh.close();
  }
}
