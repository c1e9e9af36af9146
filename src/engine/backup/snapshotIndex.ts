import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isSafeRelPath } from '../fs/safePath.js';
import { INDEX_FILE } from './snapshotLayout.js';

/** One line of a snapshot's index; `p` is the path inside the snapshot ('/'). */
export type IndexEntry =
  | { t: 'f'; p: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number; mode: number; sha256: string }
  | { t: 'd'; p: string; mode: number }
  | { t: 'l'; p: string; target: string };

export type FileIndexEntry = Extract<IndexEntry, { t: 'f' }>;

export interface IndexRead {
  entries: IndexEntry[];
  /** 1-based lines that are not index entries or name a path outside the snapshot (0: the file could not be read). */
  badLines: number[];
}

/**
 * Reads an index line by line (constant memory per line), checking every line: restore creates
 * directories, applies modes and makes links from it, so a path with `..` or a torn line must never
 * be acted on. Undefined when the snapshot has no index.
 */
export async function readSnapshotIndexLines(snapshotDir: string): Promise<IndexRead | undefined> {
  const entries: IndexEntry[] = [];
  const badLines: number[] = [];
  let n = 0;
  try {
    const lines = createInterface({ input: createReadStream(join(snapshotDir, INDEX_FILE), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      n++;
      if (line === '') continue;
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        badLines.push(n);
        continue;
      }
      if (isIndexEntry(e)) entries.push(e);
      else badLines.push(n);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    badLines.push(0);
  }
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
    return typeof x.sha256 === 'string' && /^[0-9a-f]{64}$/.test(x.sha256) && isMode(x.mode) && [x.size, x.mtimeMs, x.ctimeMs, x.ino, x.dev].every(isNum);
  }
  return false;
}
