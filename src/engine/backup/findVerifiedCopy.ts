import { join } from 'node:path';
import { sha256File } from '../fs/sha256File.js';
import { isPlainFile } from '../fs/walkTree.js';
import { findSnapshots, isGood } from './findSnapshots.js';
import { readSnapshotManifest } from './readSnapshotManifest.js';
import { toSnapshotPath } from './snapshotLayout.js';

export interface VerifiedCopy {
  /** Snapshot name (trackio_backup_...). */
  snapshot: string;
  /** Absolute path of the copy inside the snapshot: copy it with copyFileVerified(path, dst, sha256). */
  path: string;
  sha256: string;
  size: number;
}

/**
 * Heal from backup: the newest copy of `relPath` (relative to the data dir, '/') whose bytes hash
 * to `expectedSha256`, e.g. the hash a manifest recorded before the file was damaged. Snapshots are
 * tried newest first, known-good ones only (not damaged, not leftovers); a snapshot counts only
 * when its manifest records that hash for the path AND the file re-hashes to it now, so rot inside
 * a snapshot is skipped, never handed out. Undefined when no snapshot holds such a copy.
 */
export async function findVerifiedCopy(backupsDir: string, relPath: string, expectedSha256: string, lookups?: SnapshotLookups): Promise<VerifiedCopy | undefined> {
  const want = expectedSha256.toLowerCase();
  const p = toSnapshotPath(relPath);
  const snapshots = (await findSnapshots(backupsDir)).filter(isGood).reverse();
  for (const s of snapshots) {
    const hashes = await hashesOf(s.path, lookups);
    if (hashes?.get(p) !== want) continue;
    const abs = join(s.path, p);
    // Never through a link in the snapshot (runs/x -> elsewhere): only what the snapshot itself holds.
    if (!isPlainFile(s.path, p)) continue;
    const got = await sha256File(abs);
    if (got.sha256 === want) return { snapshot: s.name, path: abs, sha256: got.sha256, size: got.size };
  }
  return undefined;
}

/** Snapshot manifests read once for many look-ups (repair asks for every damaged file): path -> sha256 by snapshot dir. */
export type SnapshotLookups = Map<string, Promise<Map<string, string> | undefined>>;

function hashesOf(snapshotDir: string, lookups: SnapshotLookups | undefined): Promise<Map<string, string> | undefined> {
  let hashes = lookups?.get(snapshotDir);
  if (!hashes) {
    hashes = readSnapshotManifest(snapshotDir).then((m) => (m ? new Map(m.entries.map((e) => [e.path, e.sha256])) : undefined));
    lookups?.set(snapshotDir, hashes);
  }
  return hashes;
}
