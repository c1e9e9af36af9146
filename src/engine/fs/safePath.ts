import { constants } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { FsckError } from '../errors.js';
import { fsPath } from './pathBytes.js';

/** Open flags for reading a file repair is about to change: never through a symbolic link. */
export const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;
/** Open flags for a new file repair writes: it must not exist, and a link in its place is refused. */
export const CREATE_NOFOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** An empty, `.` or `..` segment (which includes a leading `/`, `//` and a trailing `/`), or a NUL. */
const UNSAFE = /(?:^|\/)\.{0,2}(?:\/|$)|\0/;

/**
 * The one rule for a relative path read from anything trackio-fsck did not just compute (a manifest,
 * a snapshot index, a journal): not absolute, no `..`, `.` or empty segment, no NUL. Such a path
 * can be joined to its root without leaving it (symbolic links are a separate matter: walkTree
 * never follows one, and safePath refuses to write through one).
 */
export function isSafeRelPath(path: string): boolean {
  return !UNSAFE.test(path);
}

/**
 * isSafeRelPath on a path held as bytes (`buf[start, end)`), for the manifest's usual line, read
 * without making a string of it: the same rule, segment by segment.
 */
export function isSafeRelPathBytes(buf: Uint8Array, start: number, end: number): boolean {
  let segment = start;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 47 : buf[i];
    if (c === 0) return false;
    if (c !== 47) continue;
    const n = i - segment;
    if (n === 0 || (n <= 2 && buf[segment] === 46 && (n === 1 || buf[segment + 1] === 46))) return false;
    segment = i + 1;
  }
  return true;
}

/**
 * Resolves `rel` (relative to the real data dir, '/'-separated) for writing, refusing any path
 * whose components are symbolic links or that climbs out with '..': repair never writes through a
 * link or outside the data dir. Components that do not exist yet are fine (they will be created).
 */
export async function safePath(realDataDir: string, rel: string): Promise<string> {
  if (!isSafeRelPath(rel)) throw new FsckError(`refusing to write ${JSON.stringify(rel)}: not a plain path inside the data dir`);
  const parts = rel.split('/');
  let abs = realDataDir;
  for (const part of parts) {
    abs = join(abs, part);
    const st = await lstat(fsPath(abs)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st) break;
    if (st.isSymbolicLink()) throw new FsckError(`refusing to write through the symbolic link ${abs}`);
  }
  return join(realDataDir, ...parts);
}
