import { closeSync, fchmodSync, fstatSync, futimesSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { createHash, hash as hashOnce, type Hash } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { FsckError } from '../errors.js';
import { namedFaultPoint } from '../fs/faultPoint.js';
import { openRegularSync } from '../fs/openRegularSync.js';
import { fsPath } from '../fs/pathBytes.js';

/** What a snapshot index records of a source file (a Stats, or the same fields sent from a copy thread). */
export type SourceStat = Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino' | 'dev' | 'mode'>;

export interface SnapshotFileCopy {
  sha256: string;
  size: number;
  /** The source's size or mtime moved while it was read: a live writer. */
  changed: boolean;
  /** The source as it was opened (before the first read): what the index records. */
  source: SourceStat;
  /** The copy's own inode and mtime, recorded so the next backup can trust it unread. */
  copyIno: number;
  copyMtimeMs: number;
  /** When the copy began (Date.now()): a source whose ctime comes close to it is recorded as racy. */
  readStartedMs: number;
}

const CHUNK = 1024 * 1024;
/** One buffer per thread: a thread copies one file at a time, so nothing is allocated per file. */
let shared: Buffer | undefined;
const buffer = (): Buffer => (shared ??= Buffer.allocUnsafe(CHUNK));

/**
 * One file of a snapshot, on synchronous calls (a backup of thousands of small files spent most of
 * its time on promise round trips through libuv's thread pool, not on reading or hashing): never
 * through a link or into a FIFO or device, the source hashed as it is read, mode and mtime kept,
 * then the copy read back and hashed again: different bytes throw ("verification failed"). No
 * fsync: the caller makes the whole tree durable at once (syncTree) before renaming it into place.
 * Large files may be copied on the copy thread (CopyThread) while the calling thread copies others.
 */
export function copySnapshotFile(src: string, dst: string): SnapshotFileCopy {
  const readStartedMs = Date.now();
  const { fd: input, stat: before } = openRegularSync(src);
  let size = 0;
  let sha256: string;
  let changed: boolean;
  try {
    const output = openSync(fsPath(dst), 'wx', before.mode & 0o7777);
    try {
      const hashed = readHashed(input, before.size, (chunk) => writeAllSync(output, chunk, dst));
      ({ sha256, size } = hashed);
      const after = fstatSync(input);
      changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs || size !== before.size;
      fchmodSync(output, before.mode & 0o7777);
      // Seconds as a number keep sub-millisecond precision that a Date would drop.
      futimesSync(output, before.atimeMs / 1000, before.mtimeMs / 1000);
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
  // Written and closed, not yet read back: where a test damages the copy (the backup must fail).
  namedFaultPoint(isMainThread ? 'backup-copy-written' : 'backup-copy-written-on-thread');
  const copy = readBack(src, dst, sha256, size);
  return { sha256, size, changed, source: before, copyIno: copy.ino, copyMtimeMs: copy.mtimeMs, readStartedMs };
}

/**
 * Reads the copy back and matches it against the hash taken while its source was read; returns
 * its stat (the inode and mtime the index records for the trust rule of the next backup).
 */
function readBack(src: string, dst: string, sha256: string, size: number): Stats {
  let got: { sha256: string; size: number };
  let stat: Stats;
  try {
    let fd: number;
    ({ fd, stat } = openRegularSync(dst));
    try {
      got = readHashed(fd, stat.size);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    // The copy's error, not the source's: never taken for a source that vanished or cannot be read.
    throw new FsckError(`verification failed: the copy of ${src} cannot be read back: ${(err as Error).message}`);
  }
  if (got.sha256 !== sha256 || got.size !== size || stat.size !== size) throw new FsckError(`verification failed: the copy of ${src} read back different bytes`);
  return stat;
}

/** SHA-256 and size of a regular file (never through a link), read synchronously. */
export function hashFileSync(path: string): { sha256: string; size: number } {
  const { fd } = openRegularSync(path);
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
 *
 * `expect` (the size fstat gave): a short read that ends exactly there is taken as the end, without
 * one more read to see 0 (a syscall per file, most of a small file's cost). What that misses, bytes
 * appended after this read, the caller's fstat after the copy sees (size or mtime moved: `changed`),
 * as it sees bytes appended after the read of 0 would have been.
 */
function readHashed(fd: number, expect?: number, onChunk?: (chunk: Buffer) => void): { sha256: string; size: number } {
  const buf = buffer();
  let hash: Hash | undefined;
  let filled = 0;
  let size = 0;
  for (;;) {
    const want = buf.length - filled;
    const n = readSync(fd, buf, filled, want, null);
    if (n === 0) break;
    filled += n;
    size += n;
    if (filled < buf.length) {
      if (n < want && size === expect) break;
      continue;
    }
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
