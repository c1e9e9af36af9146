import { join } from 'node:path';
import { findSnapshots, isGood } from '../../../backup/findSnapshots.js';
import { readSnapshotManifest } from '../../../backup/readSnapshotManifest.js';
import { toSnapshotPath } from '../../../backup/snapshotLayout.js';
import { sha256File } from '../../../fs/sha256File.js';
import { isPlainFile } from '../../../fs/walkTree.js';
import type { SourceFile } from '../../../repair/RepairPlan.js';

/**
 * The copy of database `relPath` (relative to the data dir) in the newest known-good snapshot of
 * `backupsDir` (made by `backup`: a consistent copy that passed integrity_check when it was taken),
 * for a salvage to take back rows it cannot read (healFromSnapshot). A snapshot counts only when
 * its manifest lists the database, the file is a plain file of the snapshot itself (no link out of
 * it), and its bytes hash to what the manifest recorded now: rot inside a snapshot is never used.
 * Unlike a file restore, the copy need not match a recorded state of the damaged database: any
 * verified copy holds rows the damage may have taken. Undefined when no snapshot holds one.
 */
export async function findSnapshotDatabase(backupsDir: string, relPath: string): Promise<SourceFile | undefined> {
  const p = toSnapshotPath(relPath);
  const snapshots = (await findSnapshots(backupsDir).catch(() => [])).filter(isGood).reverse();
  for (const s of snapshots) {
    const manifest = await readSnapshotManifest(s.path);
    const want = manifest?.entries.find((e) => e.path === p)?.sha256.toLowerCase();
    if (!want || !isPlainFile(s.path, p)) continue;
    const abs = join(s.path, p);
    const got = await sha256File(abs).catch(() => undefined);
    if (got?.sha256 === want) return { path: abs, sha256: got.sha256, size: got.size, label: `backup ${s.name}` };
  }
  return undefined;
}
