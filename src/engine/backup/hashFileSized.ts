import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CHUNK_BYTES } from '../io/readFileOnce.js';

/** A read buffer sized to the file: most files of a data dir are small, and a 1 MiB buffer per file is garbage-collector work. */
export function bufferFor(size: number): Buffer {
  return Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(4096, size)));
}

/** SHA-256 and size of a file, read once, read-only, through `buf` (or one sized to `expectedSize`). */
export async function hashFileSized(path: string, expectedSize: number, buf: Buffer = bufferFor(expectedSize)): Promise<{ sha256: string; size: number }> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}
