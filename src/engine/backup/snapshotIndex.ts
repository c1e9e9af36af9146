import { join } from 'node:path';
import { readRegularFile } from '../fs/openRegularFile.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { INDEX_FILE } from './snapshotLayout.js';

/**
 * One line of a snapshot's index; `p` is the path inside the snapshot ('/'). A file's size, times,
 * inode, device and mode are the source's as it was read; `cino`/`cmtimeMs` the snapshot copy's own
 * inode and mtime, so the next backup can tell that copy is untouched without reading it; `racy`: the
 * source changed within the timestamp granularity of being read, so its stat alone cannot prove it
 * unchanged next time (git's "racily clean" entries). Indexes written before these fields lack them.
 */
export type IndexEntry =
  | { t: 'f'; p: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number; mode: number; sha256: string; cino?: number; cmtimeMs?: number; racy?: 1 }
  | { t: 'd'; p: string; mode: number }
  | { t: 'l'; p: string; target: string };

export type FileIndexEntry = Extract<IndexEntry, { t: 'f' }>;

export interface IndexRead {
  entries: IndexEntry[];
  /** 1-based lines that are not index entries or name a path outside the snapshot (0: the file could not be read). */
  badLines: number[];
}

/**
 * Reads an index, checking every line: restore creates
 * directories, applies modes and makes links from it, so a path with `..` or a torn line must never
 * be acted on. Undefined when the snapshot has no index.
 */
export async function readSnapshotIndexLines(snapshotDir: string): Promise<IndexRead | undefined> {
  const entries: IndexEntry[] = [];
  const badLines: number[] = [];
  let bytes: Buffer | undefined;
  try {
    // A FIFO or a link in its place is refused unread (readRegularFile): the index is unreadable.
    bytes = await readRegularFile(join(snapshotDir, INDEX_FILE));
  } catch {
    return { entries, badLines: [0] };
  }
  if (!bytes) return undefined;
  const lines = bytes.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const seen = new Set<string>();
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      badLines.push(i + 1);
      return;
    }
    // A path twice would make restore create it twice: the index is not to be trusted.
    if (isIndexEntry(e) && !seen.has(e.p)) {
      seen.add(e.p);
      entries.push(e);
    } else badLines.push(i + 1);
  });
  return { entries, badLines };
}

/** The index's entries; undefined when there is none or any line of it is not to be trusted (then nothing is taken from it). */
export async function readSnapshotIndex(snapshotDir: string): Promise<IndexEntry[] | undefined> {
  const read = await readSnapshotIndexLines(snapshotDir);
  return read && read.badLines.length === 0 ? read.entries : undefined;
}

const isMode = (m: unknown): boolean => Number.isInteger(m) && (m as number) >= 0 && (m as number) <= 0o7777;
const isNum = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

function isIndexEntry(e: unknown): e is IndexEntry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  if (typeof x.p !== 'string' || !isSafeRelPath(x.p)) return false;
  if (x.t === 'd') return isMode(x.mode);
  if (x.t === 'l') return typeof x.target === 'string' && x.target !== '' && !x.target.includes('\0');
  if (x.t === 'f') {
    const optional = [x.cino, x.cmtimeMs].every((v) => v === undefined || isNum(v)) && (x.racy === undefined || x.racy === 1);
    return typeof x.sha256 === 'string' && /^[0-9a-f]{64}$/.test(x.sha256) && isMode(x.mode) && [x.size, x.mtimeMs, x.ctimeMs, x.ino, x.dev].every(isNum) && optional;
  }
  return false;
}
