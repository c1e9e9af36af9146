import { join } from 'node:path';
import { readRegularFile } from '../fs/openRegularFile.js';
import { isSafeRelPath } from '../fs/safePath.js';
import { manifestLines, parseSha256sumLine, type Sha256sumEntry } from '../manifest/sha256sumLine.js';
import { MANIFEST_FILE } from './snapshotLayout.js';

export interface SnapshotManifest {
  entries: Sha256sumEntry[];
  /** 1-based numbers of lines that are not sha256sum lines or name a path outside the snapshot. */
  badLines: number[];
  /** 1-based numbers of lines naming a path an earlier line already named (restore could not make it twice). */
  duplicateLines: number[];
}

export { isSafeRelPath };

/**
 * Reads SNAPSHOT/manifest-sha256.txt; undefined when there is none. Read through
 * readRegularFile: a FIFO or a link (to /dev/zero, say) in its place is refused, not read.
 */
export async function readSnapshotManifest(snapshotDir: string): Promise<SnapshotManifest | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readRegularFile(join(snapshotDir, MANIFEST_FILE));
  } catch {
    return undefined;
  }
  if (!bytes) return undefined;
  const entries: Sha256sumEntry[] = [];
  const badLines: number[] = [];
  const duplicateLines: number[] = [];
  const seen = new Set<string>();
  manifestLines(bytes).forEach((line, i) => {
    const entry = parseSha256sumLine(line);
    if (!entry || !isSafeRelPath(entry.path)) badLines.push(i + 1);
    else if (seen.has(entry.path)) duplicateLines.push(i + 1);
    else {
      seen.add(entry.path);
      entries.push(entry);
    }
  });
  return { entries, badLines, duplicateLines };
}
