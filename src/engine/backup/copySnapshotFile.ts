import { closeSync, fchmodSync, fstatSync, futimesSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { createHash, hash as hashOnce, type Hash } from 'node:crypto';
import { openRegularSync } from '../fs/openRegularSync.js';
import { fsPath } from '../fs/pathBytes.js';

export interface SnapshotFileCopy {
  sha256: string;
  size: number;
  /** The source's size or mtime moved while it was read: a live writer. */
  changed: boolean;
  /** The source as it was opened (before the first read): what the index records. */
  source: Stats;
  /** The copy's own inode and mtime, recorded so the next backup can trust it unread. */
  copyIno: number;
  copyMtimeMs: number;
}

const CHUNK = 1024 * 1024;
/** One buffer for every copy: a snapshot copies one file at a time on this thread, so nothing is allocated per file. */
let shared: Buffer | undefined;
const buffer = (): Buffer => (shared ??= Buffer.allocUnsafe(CHUNK));

/**
 * Snapshot copy on synchronous calls: a backup of thousands of small files spent most of its time
 * on promise round trips through libuv's thread pool (ten per file), not on reading or hashing.
 * Never through a link or into a FIFO or device, the source hashed as it is read, mode and mtime
 * kept. The caller reads the copy back and matches it (ReadBackVerifier), as copyFileInto does in
 * one go. No fsync: the caller makes the whole tree durable at once (syncTree) before renaming it
 * into place.
 */
export function copySnapshotFile(src: string, dst: string): SnapshotFileCopy {
  const { fd: input, stat: before } = openRegularSync(src);
  let size = 0;
  let sha256: string;
  let changed: boolean;
  let copy: Stats;
  try {
    const output = openSync(fsPath(dst), 'wx', before.mode & 0o7777);
    try {
      const hashed = readHashed(input, (chunk) => writeAllSync(output, chunk, dst));
      ({ sha256, size } = hashed);
      const after = fstatSync(input);
      changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs || size !== before.size;
      fchmodSync(output, before.mode & 0o7777);
      // Seconds as a number keep sub-millisecond precision that a Date would drop.
      futimesSync(output, before.atimeMs / 1000, before.mtimeMs / 1000);
      copy = fstatSync(output);
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
  return { sha256, size, changed, source: before, copyIno: copy.ino, copyMtimeMs: copy.mtimeMs };
}

/** SHA-256 and size of a regular file (never through a link), read synchronously. */
export function hashFileSync(path: string): { sha256: string; size: number } {
  const { fd } = openRegularSync(path);
  return hashFdSync(fd);
}

function hashFdSync(fd: number): { sha256: string; size: number } {
  try {
    return readHashed(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `fd` to its end through the shared buffer, handing each full buffer (and the tail) to
 * `onChunk` in order, and hashes what was read. A file that fits in the buffer is hashed in one
 * call (crypto.hash), without a Hash object: most files of a data dir are that small.
 */
function readHashed(fd: number, onChunk?: (chunk: Buffer) => void): { sha256: string; size: number } {
  const buf = buffer();
  let hash: Hash | undefined;
  let filled = 0;
  let size = 0;
  for (;;) {
    const n = readSync(fd, buf, filled, buf.length - filled, null);
    if (n === 0) break;
    filled += n;
    size += n;
    if (filled < buf.length) continue;
    (hash ??= createHash('sha256')).update(buf);
    onChunk?.(buf);
    filled = 0;
  }
  const tail = buf.subarray(0, filled);
  if (filled > 0) onChunk?.(tail);
  if (!hash) return { sha256: hashOnce('sha256', tail, 'hex'), size };
  return { sha256: hash.update(tail).digest('hex'), size };
}

/** writeAll, synchronously: a short write loops, a write of zero bytes is ENOSPC naming the file. */
function writeAllSync(fd: number, data: Buffer, path: string): void {
  let done = 0;
  while (done < data.length) {
    let n: number;
    try {
      n = writeSync(fd, data, done, data.length - done, null);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e && typeof e === 'object' && e.path === undefined) e.path = path;
      throw err;
    }
    if (!(n > 0)) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}' (wrote ${done} of ${data.length} bytes)`), { code: 'ENOSPC', errno: -28, syscall: 'write', path });
    done += n;
  }
}
