import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { INDEX_FILE } from './snapshotLayout.js';

/** One line of a snapshot's index; `p` is the path inside the snapshot ('/'). */
export type IndexEntry =
  | { t: 'f'; p: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number; mode: number; sha256: string }
  | { t: 'd'; p: string; mode: number }
  | { t: 'l'; p: string; target: string };

export type FileIndexEntry = Extract<IndexEntry, { t: 'f' }>;

/** Reads an index line by line (constant memory per line); undefined when there is none. */
export async function readSnapshotIndex(snapshotDir: string): Promise<IndexEntry[] | undefined> {
  const entries: IndexEntry[] = [];
  try {
    const lines = createInterface({ input: createReadStream(join(snapshotDir, INDEX_FILE), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      entries.push(JSON.parse(line) as IndexEntry);
    }
  } catch {
    return undefined;
  }
  return entries;
}
