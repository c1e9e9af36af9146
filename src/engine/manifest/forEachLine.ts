import { MAX_STATE_BYTES, openRegularFile } from '../fs/openRegularFile.js';

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/**
 * Reads a state file of trackio-fsck's (a manifest, a record) a chunk at a time through
 * openRegularFile (a FIFO, device or link in its place is refused unread) and hands each line,
 * without its '\n', to `onLine` as a range of a buffer that is reused afterwards: a 60 MB manifest
 * is never held whole. `onChunk` sees every byte (to hash the file). Returns false when there is
 * no such file; `onLine` returning false stops the read.
 */
export async function forEachLine(
  path: string,
  onLine: (buf: Buffer, start: number, end: number) => boolean | void,
  onChunk?: (chunk: Buffer) => void,
): Promise<boolean> {
  let opened;
  try {
    opened = await openRegularFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const { fh, stat } = opened;
  try {
    if (stat.size > MAX_STATE_BYTES) throw new Error(`${path} is ${stat.size} bytes, more than any file of this kind: not read`);
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer | undefined;
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_STATE_BYTES) throw new Error(`${path} grew past ${MAX_STATE_BYTES} bytes while read: not read`);
      const chunk = buf.subarray(0, bytesRead);
      onChunk?.(chunk);
      let start = 0;
      if (carry) {
        const nl = chunk.indexOf(10);
        if (nl === -1) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const line = Buffer.concat([carry, chunk.subarray(0, nl)]);
        carry = undefined;
        if (onLine(line, 0, line.length) === false) return true;
        start = nl + 1;
      }
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl === -1) break;
        if (onLine(chunk, start, nl) === false) return true;
        start = nl + 1;
      }
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
    }
    if (carry) onLine(carry, 0, carry.length);
    return true;
  } finally {
    await fh.close();
  }
}
