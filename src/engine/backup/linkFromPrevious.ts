import { linkSync, lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { fsPath } from '../fs/pathBytes.js';
import { hashFileSync } from './copySnapshotFile.js';
import type { FileIndexEntry } from './snapshotIndex.js';

/**
 * How close (ms) a file's ctime may come to the moment it was read before its stat stops proving
 * anything: a change in the same timestamp tick would leave every field as it was. 2 s covers the
 * coarsest clocks a data dir may sit on (FAT's 2 s mtime; ext4 without fine-grained timestamps
 * ticks every 4-10 ms).
 */
export const RACY_MS = 2000;

/** The source's ctime is within RACY_MS of the moment its read began: record it as racy. */
export function isRacy(ctimeMs: number, readStartedMs: number): boolean {
  return ctimeMs > readStartedMs - RACY_MS;
}

export type LinkDecision =
  | { linked: true; sha256: string; copyIno: number; copyMtimeMs: number; blobRead: boolean; racy: boolean }
  | { linked: false; damaged?: true };

/**
 * The trust rule of an incremental snapshot (rsync --link-dest, git's index, restic's parent
 * snapshot): the file is hard-linked to the previous snapshot's copy, and that copy's recorded
 * SHA-256 reused, without reading either, when
 *  - the source's size, mtime, ctime, inode, device and mode are those the previous snapshot
 *    recorded (any write, truncate, rename over it or `touch -d` back to an old mtime moves ctime),
 *    and the record was not racy (else the source is re-hashed and must match), and
 *  - the previous copy's size, inode and mtime are those recorded when it was written or linked
 *    (a write into it through the filesystem moves its mtime), in a snapshot that is complete or
 *    passed its last `backups verify` (the caller only links from such a one).
 * A copy whose stat moved, or from an index written before copies were recorded, is re-hashed
 * first: a mismatch is `damaged` (the caller copies afresh and says so). Rot that leaves the stat
 * alone (the medium flipping a bit) is not seen here: `backups verify` re-reads every copy, and a
 * snapshot it finds damaged is never linked from again.
 */
export function linkFromPrevious(previousDir: string | undefined, was: FileIndexEntry | undefined, st: Stats, srcAbs: string, p: string, dst: string): LinkDecision {
  if (!previousDir || !was) return { linked: false };
  if (was.size !== st.size || was.mtimeMs !== st.mtimeMs || was.ctimeMs !== st.ctimeMs || was.ino !== st.ino || was.dev !== st.dev || was.mode !== (st.mode & 0o7777)) return { linked: false };
  const from = join(previousDir, p);
  let copy: Stats | undefined;
  try {
    copy = lstatSync(fsPath(from), { throwIfNoEntry: false });
  } catch {
    return { linked: false };
  }
  if (!copy?.isFile()) return { linked: false };
  const untouched = was.cino !== undefined && copy.ino === was.cino && copy.mtimeMs === was.cmtimeMs && copy.size === was.size;
  try {
    if (!untouched) {
      const got = hashFileSync(from);
      if (got.sha256 !== was.sha256 || got.size !== was.size) return { linked: false, damaged: true };
    }
  } catch {
    return { linked: false };
  }
  let racy = false;
  if (was.racy) {
    const started = Date.now();
    try {
      if (hashFileSync(srcAbs).sha256 !== was.sha256) return { linked: false };
    } catch {
      return { linked: false };
    }
    racy = isRacy(st.ctimeMs, started);
  }
  try {
    linkSync(fsPath(from), fsPath(dst));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EMLINK' || code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP') return { linked: false };
    throw err;
  }
  return { linked: true, sha256: was.sha256, copyIno: copy.ino, copyMtimeMs: copy.mtimeMs, blobRead: !untouched, racy };
}
